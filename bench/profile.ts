import 'reflect-metadata';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startApi, stopApi } from './api-process';
import { clientToken, metricsOf, procStat } from './api-metrics';
import { BENCH_DB, benchServer } from './bench-db';
import { percentile, round1 } from './figures';
import { cpuMeter, loadAverage, ticksPerSecond } from './machine';
import { PAGE_QUERY, WARMUP_PAGES } from './page-query';
import { BENCH } from './seed';

/**
 * Where one page's time goes (docs/benchmarks.md, "Profiling a page"): the API as its own process
 * on the benchmark database (seeded by `npm run bench:seed`), the gated page and the staff page
 * one at a time, and per page: the p50, the API's CPU and minor page faults (Linux /proc), the
 * embedded PostgreSQL's CPU (its process tree; not measured for BENCH_DATABASE_URL's server), V8's
 * collections — how many, and their pauses — and the ledger write, both from the API's own
 * /metrics (prom-client's nodejs_gc_duration_seconds, rsa_ledger_write_seconds).
 *
 *   npm run bench:profile -- --pages 20                 # the figures
 *   npm run bench:profile -- --cpu-prof /tmp/prof       # and a V8 CPU profile of the API
 *   npm run bench:profile -- --node-arg=--trace-gc      # any Node/V8 flag for the API
 *   npm run bench:profile -- --timeline                 # and where each page's wall time goes (bench/page-timeline.ts)
 *
 * Figures of one run on a shared machine swing ±10 %: compare two versions alternately, several
 * times, not one run of each.
 */
const PORT = Number(process.env.BENCH_PROFILE_PORT ?? 3910);
/** The API serves /metrics in production only with a token: this run's own. */
const METRICS_TOKEN = `bench-profile-${process.pid}`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { pages: { type: 'string', default: '20' }, 'cpu-prof': { type: 'string' }, 'node-arg': { type: 'string', multiple: true }, timeline: { type: 'boolean', default: false } },
  });
  const pages = Number(values.pages);
  if (!Number.isInteger(pages) || pages < 1) throw new Error('--pages: a whole number of pages, at least 1');
  const timeline = values.timeline ? join(tmpdir(), `rsa-page-timeline-${process.pid}.jsonl`) : null;
  const nodeArgs = [
    ...(values['node-arg'] ?? []),
    ...(values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`] : []),
    ...(timeline ? [`--require=${join(__dirname, 'page-timeline.js')}`] : []),
  ];
  const server = await benchServer();
  const api = await startApi(server.url(BENCH_DB), PORT, { nodeArgs, env: { METRICS_TOKEN, ...(timeline ? { PAGE_TIMELINE_FILE: timeline } : {}) } });
  try {
    const hr = await clientToken(PORT, BENCH.employerClient);
    const staff = await clientToken(PORT, BENCH.staffClient);
    for (let i = 0; i < WARMUP_PAGES; i++) for (const t of [hr, staff]) await page(t); // compile, warm the code, the heap and the caches
    const load = { start: loadAverage()?.raw ?? null, end: null as string | null };
    const gated = await measure(api.pid!, server.postmasterPid(), hr, pages, timeline);
    const staffPage = await measure(api.pid!, server.postmasterPid(), staff, pages, timeline);
    load.end = loadAverage()?.raw ?? null;
    const rows: [string, string, string][] = [
      ['p50', `${gated.p50} ms`, `${staffPage.p50} ms`],
      ['API CPU per page', `${gated.cpuMs} ms`, `${staffPage.cpuMs} ms`],
      ['PostgreSQL CPU per page', gated.pgCpuMs === null ? '–' : `${gated.pgCpuMs} ms`, staffPage.pgCpuMs === null ? '–' : `${staffPage.pgCpuMs} ms`],
      ['minor page faults per page', `${gated.faults}`, `${staffPage.faults}`],
      ['young-generation collections per page; their pause', `${gated.minorGcs}; ${gated.minorGcMs} ms`, `${staffPage.minorGcs}; ${staffPage.minorGcMs} ms`],
      ['full collections per page; their pause', `${gated.majorGcs}; ${gated.majorGcMs} ms`, `${staffPage.majorGcs}; ${staffPage.majorGcMs} ms`],
      ['longest event-loop block (prom-client, 10 ms resolution)', `${gated.longestBlockMs} ms`, `${staffPage.longestBlockMs} ms`],
      ['ledger write per page (mean)', gated.ledgerMs === null ? '–' : `${gated.ledgerMs} ms`, '– (no ledger)'],
    ];
    console.log(`${pages} pages each, one at a time; load average at start ${load.start}, at end ${load.end}\n`);
    console.log(`| | gated | staff |\n| --- | --- | --- |\n${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}`);
    if (gated.timeline && staffPage.timeline) {
      console.log('\nWhere a page\'s wall time goes, p50 of each step (ms from the request\'s arrival at the API; "before": the API\'s own work since the previous statement was answered):\n');
      for (const [name, steps] of [['gated', gated.timeline], ['staff', staffPage.timeline]] as const) {
        console.log(`| ${name} page | before | the statement |\n| --- | --- | --- |\n${steps.map((s) => `| ${s.step} | ${s.before} ms | ${s.statement === null ? '–' : `${s.statement} ms`} |`).join('\n')}\n`);
      }
    }
  } finally {
    await stopApi(api); // writes the CPU profile, if asked for
    await server.stop();
    if (timeline) rmSync(timeline, { force: true });
  }
  if (values['cpu-prof']) console.log(`\nCPU profile of the API: ${values['cpu-prof']}`);
}

async function page(tok: string): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`http://127.0.0.1:${PORT}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tok}` },
    body: JSON.stringify({ query: PAGE_QUERY }),
  });
  const body = (await res.json()) as { errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return performance.now() - t0;
}

async function measure(pid: number, postmaster: number | null, tok: string, pages: number, timeline: string | null) {
  if (timeline) writeFileSync(timeline, '');
  const [s0, m0] = [procStat(pid), await metricsOf(PORT, METRICS_TOKEN)];
  const pg = cpuMeter({ postgres: postmaster });
  const times: number[] = [];
  for (let i = 0; i < pages; i++) times.push(await page(tok));
  const pgSeconds = pg.stop().postgres;
  const [s1, m1] = [procStat(pid), await metricsOf(PORT, METRICS_TOKEN)];
  const per = (x: number) => round1(x / pages);
  const d = (key: string) => (m1.get(key) ?? 0) - (m0.get(key) ?? 0);
  const ledgerCount = d('rsa_ledger_write_seconds_count');
  return {
    p50: round1(percentile(times, 0.5)),
    cpuMs: per(((s1.ticks - s0.ticks) / ticksPerSecond()) * 1000),
    // The server's whole tree: the page's statements, and its WAL writer and checkpointer.
    pgCpuMs: pgSeconds === null ? null : per(pgSeconds * 1000),
    faults: Math.round((s1.minorFaults - s0.minorFaults) / pages),
    minorGcs: per(d('rsa_nodejs_gc_duration_seconds_count{kind="minor"}')),
    minorGcMs: per(d('rsa_nodejs_gc_duration_seconds_sum{kind="minor"}') * 1000),
    majorGcs: per(d('rsa_nodejs_gc_duration_seconds_count{kind="major"}')),
    majorGcMs: per(d('rsa_nodejs_gc_duration_seconds_sum{kind="major"}') * 1000),
    // The monitor's maximum is reset at each scrape: this is the longest over these pages.
    longestBlockMs: round1((m1.get('rsa_nodejs_eventloop_lag_max_seconds') ?? NaN) * 1000),
    ledgerMs: ledgerCount > 0 ? round1((d('rsa_ledger_write_seconds_sum') * 1000) / ledgerCount) : null,
    timeline: timeline ? stepsOf(readFileSync(timeline, 'utf8')) : null,
  };
}

/** What the statements of a page are, by their text (the first that matches). */
const STEP_NAMES: [RegExp, string][] = [
  [/^WITH m AS/, "the gate's facts"],
  [/^WITH e AS \(SELECT id, course_id/, "the page's results and certificates (beside the facts)"],
  [/"ApiClientEntity"/, 'the API client (revoked?)'],
  [/api_cost_budgets/, "the caller's cost budget"],
  [/FROM learners l WHERE l\.id IN/, "the page's learners"],
  [/FROM "learners" "l"/, "the page's learners"],
  [/FROM enrolments x /, 'their enrolments'],
  [/FROM assessment_results x /, 'their results'],
  [/FROM certificates x /, 'their certificates'],
  [/ledger_append/, 'ledger + outbox'],
];

/**
 * The timeline's pages (bench/page-timeline.ts) as steps: each statement, in the order sent,
 * with the API's work before it (since the latest answer before it was sent) and its round trip,
 * then the work after the last answer until the response finished; p50 of each over the pages.
 */
function stepsOf(lines: string): { step: string; before: number; statement: number | null }[] {
  const pages = lines.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { steps: { sql: string; sent: number; answered: number }[]; finished: number });
  const byStep = new Map<string, { before: number[]; statement: number[] }>();
  const add = (step: string, before: number, statement: number | null) => {
    const s = byStep.get(step) ?? { before: [], statement: [] };
    byStep.set(step, s);
    s.before.push(Math.max(0, before));
    if (statement !== null) s.statement.push(statement);
  };
  for (const page of pages) {
    let answered = 0;
    const seen = new Map<string, number>();
    for (const step of [...page.steps].sort((a, b) => a.sent - b.sent)) {
      const base = STEP_NAMES.find(([re]) => re.test(step.sql))?.[1] ?? step.sql.slice(0, 40).replace(/\|/g, '/');
      const n = (seen.get(base) ?? 0) + 1;
      seen.set(base, n);
      add(n > 1 ? `${base} (${n})` : base, step.sent - answered, step.answered - step.sent);
      answered = Math.max(answered, step.answered);
    }
    add('the answer, until the response finished', page.finished - answered, null);
    add('the whole request', page.finished, null);
  }
  return [...byStep].map(([step, s]) => ({ step, before: round1(percentile(s.before, 0.5)), statement: s.statement.length ? round1(percentile(s.statement, 0.5)) : null }));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
