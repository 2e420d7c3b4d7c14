/**
 * A small SVG bar chart of the benchmark's p50 figures (docs/benchmarks.md): groups of bars, each
 * on its own scale (one request in flight, ten in flight), each bar with its sample count; a
 * figure not measured is drawn as a note, never as a zero bar. Written by hand: a dozen bars need
 * no charting library (and no native canvas build).
 */
import type { Latency, Throughput } from './figures';
import type { LoadAverage } from './machine';
import type { twoProcesses } from './two-processes';

type TwoProcessesFigure = Awaited<ReturnType<typeof twoProcesses>>;

export interface Bar {
  label: string;
  /** Milliseconds; null: not measured. */
  value: number | null;
  n: number;
  /** Highlight (ours) or not (reference figures: floor, staff, peer). */
  ours?: boolean;
}

export interface BarGroup {
  title: string;
  bars: Bar[];
}

export function barChart(title: string, subtitle: string, groups: BarGroup[]): string {
  const width = 780;
  const left = 300;
  const right = 130;
  const row = 28;
  const esc = (s: string) =>
    s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  const out: string[] = [];
  let y = 64;
  for (const g of groups) {
    out.push(`<text x="16" y="${y + 16}" font-weight="bold">${esc(g.title)}</text>`);
    y += 24;
    const max = Math.max(1, ...g.bars.map((b) => b.value ?? 0));
    for (const b of g.bars) {
      out.push(`<text x="${left - 10}" y="${y + 18}" text-anchor="end">${esc(b.label)}</text>`);
      if (b.value === null)
        out.push(
          `<text x="${left}" y="${y + 18}" fill="#a33">not measured (${b.n} completed)</text>`,
        );
      else {
        const w = Math.max(1, ((width - left - right) * b.value) / max);
        out.push(
          `<rect x="${left}" y="${y + 4}" width="${w.toFixed(1)}" height="19" fill="${b.ours ? '#2a6f97' : '#9aa5ad'}"/>`,
          `<text x="${(left + w + 6).toFixed(1)}" y="${y + 18}">${b.value.toFixed(1)} ms (n ${b.n})</text>`,
        );
      }
      y += row;
    }
    y += 12;
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 10}" font-family="DejaVu Sans, Arial, sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="16" y="26" font-size="16" font-weight="bold">${esc(title)}</text>`,
    `<text x="16" y="46" fill="#555">${esc(subtitle)}</text>`,
    ...out,
    `</svg>`,
    '',
  ].join('\n');
}

/** The p50s of one run (bench/run.ts's results) as bars: ours against the staff page, the floor and the peer. */
export function chartOf(res: Record<string, unknown>): string {
  const r = res as any;
  const lat = (f: Latency | undefined): { value: number | null; n: number } =>
    !f
      ? { value: null, n: 0 }
      : f.measured
        ? { value: f.p50, n: f.n }
        : { value: null, n: f.completed };
  const thr = (f: Throughput | undefined): { value: number | null; n: number } =>
    !f
      ? { value: null, n: 0 }
      : f.measured
        ? { value: f.p50, n: f.completed }
        : { value: null, n: f.completed };
  const two = r.twoProcesses as TwoProcessesFigure | undefined;
  const groups: BarGroup[] = [
    {
      title: 'one request in flight',
      bars: [
        { label: 'floor: plain SQL + JSON.stringify', ...lat(r.floor) },
        { label: 'staff page (no gate, no ledger)', ...lat(r.onePageOneInFlight?.staff) },
        { label: 'gated page + ledger + outbox', ...lat(r.onePageOneInFlight?.gated), ours: true },
        { label: 'peer (PostGraphile + RLS)', ...lat(r.peer?.oneInFlight) },
      ],
    },
    {
      title: 'ten requests in flight',
      bars: [
        { label: 'staff page', ...thr(r.tenInFlight?.staff) },
        { label: 'gated page', ...thr(r.tenInFlight?.gated), ours: true },
        {
          label: 'gated page, 2 API processes',
          value: two?.two.p50 ?? null,
          n: two?.two.completed ?? 0,
          ours: true,
        },
        { label: 'peer', ...thr(r.peer?.tenInFlight) },
      ],
    },
  ];
  const m = r.machine ?? {};
  const la = (l: LoadAverage | null | undefined) => (l ? `${l.one}/${l.five}/${l.fifteen}` : '?');
  const load = r.loadAverage
    ? ` — load average ${la(r.loadAverage.start)} at start, ${la(r.loadAverage.end)} at end`
    : '';
  return barChart(
    '500-learner page, p50 (ms)',
    `${m.cpus ?? '?'} CPUs, ${r.dataSet?.learners ?? '?'} learners${load}`,
    groups,
  );
}
