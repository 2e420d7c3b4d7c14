/**
 * The benchmark's figures, made so that none can mislead: a latency, a rate or a ratio is only
 * reported when enough samples stand behind it, every figure carries its sample count, and a
 * phase that completed too few requests says so instead of printing 0 req/s, 0 ms or an
 * Infinity/NaN ratio (docs/benchmarks.md, "Reading the table").
 */

/** Fewer samples (completed requests, pages, deliveries) than this and a figure is "not measured". */
export const MIN_SAMPLES = 5;

/** A figure that was not measured: too few samples stand behind it. `completed` is how many there were. */
export interface NotMeasured {
  measured: false;
  completed: number;
}

/** Latencies of `n` samples (ms). */
export type Latency = { measured: true; n: number; p50: number; p95: number } | NotMeasured;

/**
 * A load phase: `completed` successful responses in `seconds`, with `connections` requests in
 * flight. `p97_5` is autocannon's nearest percentile to p95.
 */
export type Throughput =
  | { measured: true; connections: number; completed: number; errors: number; seconds: number; rps: number; p50: number; p97_5: number }
  | (NotMeasured & { connections: number; errors: number; seconds: number });

/** a / b, only when both were measured; otherwise why not. */
export type Ratio = { measured: true; value: number } | { measured: false; because: string };

export const round1 = (n: number) => Math.round(n * 10) / 10;

/** Nearest-rank percentile. */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

export function latency(xs: number[]): Latency {
  if (xs.length < MIN_SAMPLES) return { measured: false, completed: xs.length };
  return { measured: true, n: xs.length, p50: round1(percentile(xs, 50)), p95: round1(percentile(xs, 95)) };
}

/** The ratio of two measured, positive values; "not measured" (with the reason) otherwise. */
export function ratio(a: { what: string; value: number | null }, b: { what: string; value: number | null }, digits = 1): Ratio {
  for (const x of [a, b]) if (x.value === null) return { measured: false, because: `${x.what} not measured` };
  if (!(b.value! > 0) || !Number.isFinite(a.value!)) return { measured: false, because: `${b.what} is ${b.value}` };
  return { measured: true, value: Number((a.value! / b.value!).toFixed(digits)) };
}

/** The p50 of a latency figure, or null when it was not measured (for `ratio`). */
export const p50Of = (f: Latency) => (f.measured ? f.p50 : null);
/** The rate of a throughput figure, or null when it was not measured (for `ratio`). */
export const rpsOf = (f: Throughput) => (f.measured ? f.rps : null);

export const notMeasured = (f: NotMeasured) => `not measured (${f.completed} completed)`;

/** "p50 12.3 ms, p95 20 ms (n 10)" or "not measured (3 completed)". */
export function fmtLatency(f: Latency): string {
  return f.measured ? `p50 ${f.p50} ms, p95 ${f.p95} ms (n ${f.n})` : notMeasured(f);
}

/** "3.4 req/s, p50 2900 ms, p97.5 3100 ms (n 30 in 8.8 s, errors 0)" or "not measured (0 completed in 5 s, errors 2)". */
export function fmtThroughput(f: Throughput): string {
  if (!f.measured) return `not measured (${f.completed} completed in ${f.seconds} s, errors ${f.errors})`;
  return `${f.rps} req/s, p50 ${f.p50} ms, p97.5 ${f.p97_5} ms (n ${f.completed} in ${f.seconds} s, errors ${f.errors})`;
}

export function fmtRatio(r: Ratio): string {
  return r.measured ? `${r.value}×` : `not measured (${r.because})`;
}
