/**
 * `new Date(ms).toISOString()` for an instant in the years 0000–9999, without the Date: a gated
 * page serialises ~13,000 instants, and a Date made for each only to be written was ~4 ms of its
 * CPU and most of its scavenges' worth of short-lived objects (docs/benchmarks.md, "Round 3, ninth
 * session"). The text is made in one allocation by `String.fromCharCode`: joining the parts with
 * `+` or a template made a rope of seven strings, more garbage than the Date it replaced. The day's
 * `YYYY-MM-DDT` is worked out once per day seen (a bounded cache: a page's instants fall on a few
 * thousand days at most). Anything else — outside those years, not an integer — goes through Date
 * (iso-instant.spec.ts holds the two equal).
 */
export function isoInstant(ms: number): string {
  if (!Number.isInteger(ms) || ms < FIRST || ms >= END) return new Date(ms).toISOString();
  const day = Math.floor(ms / DAY);
  let d = days.get(day);
  if (d === undefined) {
    if (days.size >= MAX_DAYS) days.clear();
    const prefix = new Date(day * DAY).toISOString();
    days.set(day, (d = Array.from({ length: 11 }, (_, i) => prefix.charCodeAt(i))));
  }
  let t = ms - day * DAY;
  const milli = t % 1000;
  t = (t - milli) / 1000;
  const s = t % 60;
  t = (t - s) / 60;
  const m = t % 60;
  const h = (t - m) / 60;
  // prettier-ignore
  return String.fromCharCode(
    d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10],
    ZERO + ((h / 10) | 0), ZERO + (h % 10), COLON, ZERO + ((m / 10) | 0), ZERO + (m % 10), COLON, ZERO + ((s / 10) | 0), ZERO + (s % 10),
    DOT, ZERO + ((milli / 100) | 0), ZERO + (((milli / 10) | 0) % 10), ZERO + (milli % 10), Z,
  );
}

const DAY = 86_400_000;
/** 0000-01-01T00:00:00.000Z and 10000-01-01T00:00:00.000Z: toISOString writes other years with a sign and six digits. */
const FIRST = Date.parse('0000-01-01T00:00:00.000Z');
const END = Date.parse('+010000-01-01T00:00:00.000Z');
const MAX_DAYS = 20_000;
/** Day number → the character codes of its `YYYY-MM-DDT`. */
const days = new Map<number, number[]>();
const [ZERO, COLON, DOT, Z] = ['0', ':', '.', 'Z'].map((c) => c.charCodeAt(0));
