import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { WARMUP_PAGES } from './page-query';

export interface TwoProcessesOptions {
  dbUrl: string;
  start: (port: number) => Promise<ChildProcess>;
  stop: (api: ChildProcess) => Promise<void>;
  /** A recipient's token both processes accept (same issuer and keys: one database). */
  token: string;
  query: string;
  ports: [number, number];
  /** Requests in flight in total. */
  connections: number;
  seconds: number;
  /** Fewer completed requests than this: the figure is "not measured". */
  minSamples: number;
}

interface Phase {
  completed: number;
  failed: number;
  rps: number;
  p50: number | null;
  p95: number | null;
  requestIds: string[];
}

/**
 * Throughput past one process (docs/benchmarks.md, "Two API processes"): the same load first on
 * one API process, then split round-robin over two on the same database; then the reconciliation
 * of the second phase — every answered request is in the ledger, with exactly one entry per
 * learner of its page and one notification per entry.
 *
 * The load is driven here (fetch loops, each request's own X-Request-Id) rather than by
 * autocannon, so every request is awaited and its id known: the reconciliation is exact.
 */
export async function twoProcesses(opts: TwoProcessesOptions) {
  const a = await opts.start(opts.ports[0]);
  let one: Phase;
  try {
    one = await drive(opts, [opts.ports[0]]);
  } finally {
    await opts.stop(a);
  }
  const procs = [await opts.start(opts.ports[0]), await opts.start(opts.ports[1])];
  let two: Phase;
  try {
    two = await drive(opts, opts.ports);
  } finally {
    for (const p of procs) await opts.stop(p);
  }
  const reconciliation = await reconcile(opts.dbUrl, two.requestIds);
  const strip = ({ requestIds: _, ...p }: Phase) => p;
  return {
    one: strip(one),
    two: strip(two),
    throughputRatio:
      one.rps > 0 && two.completed >= opts.minSamples ? +(two.rps / one.rps).toFixed(2) : null,
    reconciliation,
  };
}

async function drive(opts: TwoProcessesOptions, ports: readonly number[]): Promise<Phase> {
  const times: number[] = [];
  const requestIds: string[] = [];
  let failed = 0;
  const body = JSON.stringify({ query: opts.query });
  // Warm each process up, as for every figure of a page (bench/page-query.ts).
  for (const port of ports)
    for (let i = 0; i < WARMUP_PAGES; i++) await post(port, body, opts.token, randomUUID());
  const until = Date.now() + opts.seconds * 1000;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: opts.connections }, async (_, i) => {
      const port = ports[i % ports.length]; // round-robin: half the connections each
      while (Date.now() < until) {
        const id = randomUUID();
        const t0 = performance.now();
        const ok = await post(port, body, opts.token, id);
        if (ok) {
          times.push(performance.now() - t0);
          requestIds.push(id);
        } else failed++;
      }
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  times.sort((x, y) => x - y);
  const q = (p: number) =>
    times.length >= opts.minSamples
      ? Math.round(times[Math.min(times.length - 1, Math.floor(p * times.length))] * 10) / 10
      : null;
  return {
    completed: times.length,
    failed,
    rps: Math.round((times.length / elapsed) * 10) / 10,
    p50: q(0.5),
    p95: q(0.95),
    requestIds,
  };
}

async function post(
  port: number,
  body: string,
  token: string,
  requestId: string,
): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        'x-request-id': requestId,
      },
      body,
    });
    const json = (await res.json()) as { errors?: unknown };
    return res.ok && !json.errors;
  } catch {
    return false;
  }
}

/** The ledger and the inbox against the answered requests of the two-process phase. */
async function reconcile(dbUrl: string, requestIds: string[]) {
  const c = new Client({ connectionString: dbUrl });
  await c.connect();
  try {
    const { rows } = await c.query<{
      requests: number;
      entries: number;
      perRequestMin: number;
      perRequestMax: number;
      duplicates: number;
      notifications: number;
    }>(
      `WITH d AS (SELECT id, request_id, learner_id FROM disclosures WHERE request_id = ANY($1::text[])),
            per AS (SELECT request_id, count(*) AS n, count(DISTINCT learner_id) AS learners FROM d GROUP BY request_id)
       SELECT (SELECT count(*) FROM per)::int AS requests, (SELECT count(*) FROM d)::int AS entries,
              (SELECT coalesce(min(n), 0) FROM per)::int AS "perRequestMin", (SELECT coalesce(max(n), 0) FROM per)::int AS "perRequestMax",
              (SELECT coalesce(sum(n - learners), 0) FROM per)::int AS duplicates,
              (SELECT count(*) FROM notifications n JOIN d ON d.id = n.disclosure_id)::int AS notifications`,
      [requestIds],
    );
    const r = rows[0];
    return {
      answered: requestIds.length,
      ...r,
      // Nothing lost: every answered request is in the ledger; nothing duplicated: one entry per learner, one notification per entry.
      ok:
        r.requests === requestIds.length &&
        r.duplicates === 0 &&
        r.notifications === r.entries &&
        r.perRequestMin === r.perRequestMax,
    };
  } finally {
    await c.end();
  }
}
