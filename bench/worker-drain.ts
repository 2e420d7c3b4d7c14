import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { Client } from 'pg';
import { SMTPServer } from 'smtp-server';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config/app-config';
import { BENCH_DB, benchServer } from './bench-db';
import { BENCH } from './seed';
import { waitUntilUp } from './wait-until-up';

/**
 * `npm run bench:drain -- --disclosures 100000`: the worker's memory during a large email drain
 * (docs/benchmarks.md, "Worker memory"). Against the data of `npm run bench:seed`:
 *
 *  1. `--disclosures N` (once): gated pages through the API, as `npm run bench` reads them, until N
 *     disclosures are pending with their notifications and email jobs; kept as a template database.
 *     `--spread` reads every page in turn (each learner gets N / learners disclosures); the default
 *     reads the first page again and again, as the load phases of `npm run bench` do, so each of
 *     its 500 learners gets hundreds of disclosures (the largest messages).
 *  2. a copy of that template drained by `npm run worker` (`--mode worker`, default) or by the
 *     workers inside the API (`--mode api`), to a real SMTP server in this process, while the
 *     process's RSS is sampled from /proc every 100 ms.
 *
 * `--lanes N` sets NOTIFY_DELIVERY_LANES; `--node-args="…"` passes flags to the draining process
 * (e.g. `--heapsnapshot-signal=SIGUSR2`). Prints the peak RSS, the RSS 5 s after the drain and the rate.
 */
// The page of `npm run bench` (bench/run.ts): every field, so every category is disclosed.
const PAGE_QUERY = `query Page($after: String) { learners(first: 500, after: $after) { nodes { id name employeeNumber enrolments { id courseId status enrolledAt startedAt startsOn progressPercent lastActivityAt timeSpentMinutes completedAt completed assessmentResults { assessmentName attemptedAt score maxScore passed } certificates { number issuedAt expiresAt accreditationPoints } accreditationPointsEarned withheld { field reason } } } pageInfo { endCursor hasNextPage } } }`;
const TEMPLATE = 'rsa_drain_template';
const DRAIN_DB = 'rsa_drain';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      disclosures: { type: 'string' },
      spread: { type: 'boolean', default: false },
      mode: { type: 'string', default: 'worker' },
      lanes: { type: 'string' },
      'node-args': { type: 'string', default: '' },
      'timeout-seconds': { type: 'string', default: '900' },
    },
  });
  const server = await benchServer();
  try {
    if (values.disclosures) await generate(server.url.bind(server), Number(values.disclosures), values.spread);
    const result = await drain(server.url.bind(server), {
      mode: values.mode === 'api' ? 'api' : 'worker',
      lanes: values.lanes,
      nodeArgs: values['node-args'].split(' ').filter(Boolean),
      timeoutMs: Number(values['timeout-seconds']) * 1000,
    });
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await server.stop();
  }
}

async function admin<T>(url: string, f: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await f(c);
  } finally {
    await c.end();
  }
}

async function generate(url: (db: string) => string, target: number, spread: boolean): Promise<void> {
  await admin(url('postgres'), async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${TEMPLATE} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${TEMPLATE} TEMPLATE ${BENCH_DB}`);
  });
  const dbUrl = url(TEMPLATE);
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: dbUrl,
    JWT_ISSUER: 'http://bench.local',
    SEED_DEMO: 'false',
    WORKERS_IN_PROCESS: 'false',
    NOTIFY_COALESCE_SECONDS: '0',
    GRAPHQL_COST_REFILL_PER_SECOND: '100000000',
  });
  const app = await createApp({ ...config, databaseUrl: dbUrl }, pino({ level: 'error' }));
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  const { TokenService } = await import('../src/auth/token.service');
  const hr = app.get(TokenService).issue({ sub: 'bench', kind: 'EMPLOYER_CLIENT', org: BENCH.employerId, client_id: BENCH.employerClient.clientId }).accessToken;
  const pg = new Client({ connectionString: dbUrl });
  await pg.connect();
  const pending = async () => Number((await pg.query(`SELECT count(*) AS n FROM notifications WHERE emailed_at IS NULL`)).rows[0].n);
  const t0 = performance.now();
  let after: string | null = null;
  let pages = 0;
  for (let n = await pending(); n < target; pages++) {
    const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${hr}` },
      body: JSON.stringify({ query: PAGE_QUERY, variables: { after } }),
    });
    const body = (await res.json()) as { errors?: unknown; data: { learners: { pageInfo: { endCursor: string; hasNextPage: boolean } } } };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    if (spread) after = body.data.learners.pageInfo.hasNextPage ? body.data.learners.pageInfo.endCursor : null;
    if (pages % 20 === 19) n = await pending();
  }
  const stats = (
    await pg.query(
      `SELECT count(*) AS notifications, count(DISTINCT learner_id) AS learners, max(c) AS "maxPerLearner",
              (SELECT count(*) FROM pgboss.job WHERE name = 'notify-email' AND state = 'created') AS jobs
         FROM (SELECT learner_id, count(*) OVER (PARTITION BY learner_id) AS c FROM notifications WHERE emailed_at IS NULL) n`,
    )
  ).rows[0];
  console.log(`generated in ${Math.round((performance.now() - t0) / 1000)} s: ${pages} pages, ${JSON.stringify(stats)}`);
  await pg.end();
  await app.close();
}

function rss(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)![1]);
  return { rss: Math.round(kb('VmRSS') / 1024), hwm: Math.round(kb('VmHWM') / 1024) };
}

async function drain(url: (db: string) => string, opts: { mode: 'worker' | 'api'; lanes?: string; nodeArgs: string[]; timeoutMs: number }) {
  await admin(url('postgres'), async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${DRAIN_DB} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${DRAIN_DB} TEMPLATE ${TEMPLATE}`);
  });
  const dbUrl = url(DRAIN_DB);
  let received = 0;
  let bytes = 0;
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onData(stream, _s, cb) {
      stream.on('data', (c: Buffer) => (bytes += c.length));
      stream.on('end', () => {
        received++;
        cb();
      });
    },
  });
  // A worker stopped mid-connection resets it: not an error of the drain.
  smtp.on('error', () => undefined);
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  const smtpPort = (smtp.server.address() as AddressInfo).port;
  const pg = new Client({ connectionString: dbUrl });
  await pg.connect();
  const pendingNow = async () => Number((await pg.query(`SELECT count(*) AS n FROM notifications WHERE emailed_at IS NULL`)).rows[0].n);
  const pending = await pendingNow();
  const apiPort = Number(process.env.BENCH_API_PORT ?? 3910);
  const script = join(__dirname, '..', 'src', opts.mode === 'worker' ? 'cli/worker.cli.js' : 'main.js');
  const child = spawn(process.execPath, [...opts.nodeArgs, script], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: dbUrl,
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      LOG_LEVEL: 'warn',
      JWT_ISSUER: `http://127.0.0.1:${apiPort}`,
      PORT: String(apiPort),
      SEED_DEMO: 'false',
      WORKERS_IN_PROCESS: 'true',
      ...(opts.lanes ? { NOTIFY_DELIVERY_LANES: opts.lanes } : {}),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise((r) => child.once('exit', r));
  if (opts.mode === 'api') await waitUntilUp(child, 'API', () => fetch(`http://127.0.0.1:${apiPort}/health/ready`));
  const t0 = performance.now();
  let peak = 0;
  const samples: { s: number; rssMb: number; left: number }[] = [];
  const sampler = setInterval(() => {
    try {
      peak = Math.max(peak, rss(child.pid!).rss);
    } catch {
      /* exited */
    }
  }, 100);
  let left = pending;
  let lastLog = 0;
  while (left > 0 && performance.now() - t0 < opts.timeoutMs && child.exitCode === null) {
    await new Promise((r) => setTimeout(r, 1000));
    left = await pendingNow();
    const s = (performance.now() - t0) / 1000;
    if (s - lastLog >= 10) {
      lastLog = s;
      const now = rss(child.pid!).rss;
      samples.push({ s: Math.round(s), rssMb: now, left });
      console.log(`${Math.round(s)} s: RSS ${now} MB (peak ${peak} MB), ${left} pending, ${received} messages (${Math.round(bytes / 2 ** 20)} MB)`);
    }
  }
  const drainS = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 5000));
  const after = child.exitCode === null ? rss(child.pid!) : null;
  clearInterval(sampler);
  child.kill('SIGTERM');
  await exited;
  await pg.end();
  await new Promise<void>((r) => smtp.close(() => r()));
  return {
    mode: opts.mode,
    lanes: opts.lanes ?? 'default',
    pending,
    drained: pending - left,
    drainSeconds: Math.round(drainS),
    disclosuresPerSecond: Math.round((pending - left) / drainS),
    messages: received,
    messageMb: Math.round(bytes / 2 ** 20),
    peakRssMb: Math.max(peak, after?.hwm ?? 0),
    rssFiveSecondsAfterMb: after?.rss ?? null,
    samples,
  };
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
