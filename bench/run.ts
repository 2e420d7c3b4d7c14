import 'reflect-metadata';
import autocannon from 'autocannon';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { Client } from 'pg';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { GATED_CONNECTION } from '../src/common/database/gated-connection';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config/app-config';
import { DisclosureLedgerService } from '../src/disclosures/disclosure-ledger.service';
import { BENCH_DB, benchServer } from './bench-db';
import { chartOf } from './chart';
import { twoProcesses } from './two-processes';
import { ensureHistory, historyLearner } from './history';
import { connectionBlocks, type ConnectionFigure } from './connections';
import {
  fmtLatency,
  fmtRatio,
  fmtThroughput,
  latency,
  MIN_SAMPLES,
  notMeasured,
  p50Of,
  ratio,
  round1,
  rpsOf,
  type Latency,
  type Ratio,
  type Throughput,
} from './figures';
import { cpuMeter, loadAverage, machine, type LoadAverage } from './machine';
import { installPeerPolicies, PEER_PAGE_QUERY, startPeer } from './peer/peer-setup';
import { BENCH } from './seed';
import { startApi, stopApi } from './api-process';
import { PAGE_QUERY, WARMUP_PAGES } from './page-query';

/**
 * `npm run bench`: one run of the figures and targets in docs/benchmarks.md on this machine, against the data of
 * `npm run bench:seed`. Prints a table and writes bench/results/<time>.json.
 */
const PORT = Number(process.env.BENCH_API_PORT ?? 3900);
const PEER_PORT = Number(process.env.BENCH_PEER_PORT ?? 3901);
const UNLIMITED_PORT = Number(process.env.BENCH_UNLIMITED_PORT ?? 3902);
const API_URL = `http://127.0.0.1:${PORT}/graphql`;
const PEER_URL = `http://127.0.0.1:${PEER_PORT}/graphql`;
const results: Record<string, unknown> = {};
/** Seconds a load phase waits for one response before counting it as an error (autocannon's default is 10). */
const LOAD_TIMEOUT_S = 120;

const ms = round1;

async function token(clientId: string, secret: string): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${PORT}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

/** One keep-alive connection for the sequential phases, as fetch and autocannon keep theirs. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

/**
 * One request. `ms` runs to the answer's last byte — what autocannon measures in the load phases,
 * and what the API and the network cost; `parsedMs` adds this client's `JSON.parse` of the ~1.3 MB
 * answer (~6 ms), which is the client's work, not the API's. Until the twelfth session of round 3
 * the figure was fetch's `res.json()`, which adds undici's web-stream body handling as well
 * (~13 ms more than the last byte for the gated page: docs/benchmarks.md, "Round 3, twelfth session").
 */
function gql(tok: string | null, query: string, variables: object = {}, url = API_URL): Promise<{ ms: number; parsedMs: number; body: any }> {
  const payload = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...(tok ? { authorization: `Bearer ${tok}` } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const ms = performance.now() - t0;
          try {
            const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            const parsedMs = performance.now() - t0;
            if (res.statusCode !== 200 || body.errors) throw new Error(`${res.statusCode}: ${JSON.stringify(body.errors ?? body)}`);
            resolve({ ms, parsedMs, body });
          } catch (e) {
            reject(e instanceof Error ? e : new Error(String(e)));
          }
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}


/** Sequential requests, one in flight: latency distribution. */
async function sequential(tok: string | null, n: number, warmup = WARMUP_PAGES, query = PAGE_QUERY, url = API_URL): Promise<Latency> {
  for (let i = 0; i < warmup; i++) await gql(tok, query, {}, url);
  const times: number[] = [];
  for (let i = 0; i < n; i++) times.push((await gql(tok, query, {}, url)).ms);
  return latency(times);
}

/**
 * Sequential requests of two callers, alternating: latency distributions of each, to the last
 * byte, and with the client's parse (`parsed`); `first` is `a`'s first ten pages, during the
 * warm-up.
 */
async function alternating(a: string, b: string, n: number, warmup = WARMUP_PAGES): Promise<{ a: Latency; b: Latency; parsed: { a: Latency; b: Latency }; first: Latency }> {
  const first: number[] = [];
  for (let i = 0; i < warmup; i++) {
    const ms = (await gql(a, PAGE_QUERY)).ms;
    if (i < 10) first.push(ms);
    await gql(b, PAGE_QUERY);
  }
  const [ta, tb, pa, pb]: number[][] = [[], [], [], []];
  for (let i = 0; i < n; i++) {
    const ra = await gql(a, PAGE_QUERY);
    const rb = await gql(b, PAGE_QUERY);
    ta.push(ra.ms);
    pa.push(ra.parsedMs);
    tb.push(rb.ms);
    pb.push(rb.parsedMs);
  }
  return { a: latency(ta), b: latency(tb), parsed: { a: latency(pa), b: latency(pb) }, first: latency(first) };
}

/** CPU milliseconds per completed request of some process trees (bench/machine.ts); null where not measured. */
type CpuPerRequest = Record<string, number | null>;

/**
 * autocannon from this process (the API runs in another): `connections` requests in flight until
 * `requests` have been made. A count, not a duration: a phase of 5 s completed no request at all
 * when one took longer than that (the peer at 10 in flight answers in ~10 s on 2 cores, and the
 * requests still in flight when a timed phase ends are not counted), so the figure read 0 req/s.
 * One unmeasured round of `connections` requests first opens the server's pool connections (the
 * peer's first query on each is the slowest) and checks that the answer is data, not errors
 * (autocannon counts any 200). The rate is completions over the time to the last response.
 * `cpuOf` names process trees whose CPU time during the measured part is reported per request.
 */
async function load(
  tok: string | null,
  connections: number,
  requests: number,
  opts: { query?: string; url?: string; cpuOf?: Record<string, number | null | undefined> } = {},
): Promise<Throughput & { cpuMsPerRequest?: CpuPerRequest }> {
  const { query = PAGE_QUERY, url = API_URL } = opts;
  const headers = { 'content-type': 'application/json', ...(tok ? { authorization: `Bearer ${tok}` } : {}) };
  await Promise.all(Array.from({ length: connections }, () => gql(tok, query, {}, url)));
  const meter = opts.cpuOf ? cpuMeter(opts.cpuOf) : null;
  let last = 0;
  const t0 = performance.now();
  const r = await new Promise<autocannon.Result>((resolve, reject) => {
    const run = autocannon(
      { url, method: 'POST', headers, body: JSON.stringify({ query }), connections, amount: Math.max(requests, connections), timeout: LOAD_TIMEOUT_S },
      (err, result) => (err ? reject(err as Error) : resolve(result)),
    );
    run.on('response', () => (last = performance.now()));
  });
  const cpu = meter?.stop();
  const completed = r['2xx'];
  const errors = r.errors + r.non2xx;
  const elapsedS = ((last || performance.now()) - t0) / 1000;
  const seconds = ms(elapsedS);
  if (completed < MIN_SAMPLES) return { measured: false, completed, connections, errors, seconds };
  const perRequest = cpu && Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, v === null ? null : ms((v * 1000) / completed)]));
  return {
    measured: true,
    connections,
    completed,
    errors,
    seconds,
    rps: ms(completed / elapsedS),
    p50: r.latency.p50,
    p97_5: r.latency.p97_5,
    ...(perRequest ? { cpuMsPerRequest: perRequest } : {}),
  };
}

function rssPeakMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)![1]) / 1024);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, 'export-only': { type: 'boolean', default: false }, 'connections-only': { type: 'boolean', default: false }, only: { type: 'string' }, 'node-arg': { type: 'string', multiple: true }, 'limits-only': { type: 'boolean', default: false } } });
  const quick = values.quick;
  // What else the machine was doing, beside the figures (docs/benchmarks.md, "Reading the table").
  results.machine = machine();
  const load0 = loadAverage();
  const server = await benchServer();
  const dbUrl = server.url(BENCH_DB);
  if (values['limits-only']) {
    // `npm run bench -- --limits-only`: only the limits on/off comparison.
    const api = await ourApi(dbUrl);
    const hr = await token(BENCH.employerClient.clientId, BENCH.employerClient.secret);
    await stopApi(api);
    results.limits = await limitsOnOff(dbUrl, hr, 60);
    await server.stop();
    results.loadAverage = { start: load0, end: loadAverage() };
    console.log(JSON.stringify(results, null, 2));
    console.log(`\n${fmtRow(limitsRow(results.limits as LimitsFigure))}\n${loadLine()}`);
    return;
  }
  if (values['export-only']) {
    // `npm run bench -- --export-only`: only the learner export (an API start migrates the database first).
    await stopApi(await ourApi(dbUrl));
    await learnerExport(dbUrl);
    await server.stop();
    results.loadAverage = { start: load0, end: loadAverage() };
    console.log(JSON.stringify(results, null, 2));
    console.log(`\n${fmtRow(exportRow(results.learnerExport as ExportFigure))}\n${loadLine()}`);
    return;
  }
  if (values['connections-only']) {
    // `npm run bench -- --connections-only [--quick] [--only disclosures] [--node-arg=--cpu-prof …]`:
    // only the 500-item connections (those whose name contains --only), flags for the API's Node.
    await stopApi(await ourApi(dbUrl));
    results.connections = await connectionBlocks(dbUrl, quick ? 8 : 25, { only: values.only, nodeArgs: values['node-arg'] });
    await server.stop();
    results.loadAverage = { start: load0, end: loadAverage() };
    console.log(JSON.stringify(results, null, 2));
    console.log(`\n${connectionRows(results.connections as ConnectionFigure[]).map(fmtRow).join('\n')}\n${loadLine()}`);
    return;
  }
  let api = await ourApi(dbUrl);
  try {
    const hr = await token(BENCH.employerClient.clientId, BENCH.employerClient.secret);
    const staff = await token(BENCH.staffClient.clientId, BENCH.staffClient.secret);
    const pg = new Client({ connectionString: dbUrl });
    await pg.connect();
    const learners = Number((await pg.query(`SELECT count(*) AS n FROM learners`)).rows[0].n);
    results.dataSet = { learners };

    // 1. one request in flight: gated + ledgered vs provider staff
    const n = quick ? 10 : 40;
    // Alternating, so both see the same machine (the ledger grows, caches warm, neighbours load it).
    const one = await alternating(hr, staff, n);
    const [gated1, staff1] = [one.a, one.b];
    results.onePageOneInFlight = {
      gated: gated1,
      staff: staff1,
      ratioP50: ratio({ what: 'gated', value: p50Of(gated1) }, { what: 'staff', value: p50Of(staff1) }),
      withClientParse: { gated: one.parsed.a, staff: one.parsed.b },
      firstPagesAfterStart: one.first,
    };

    // 2. the floor: the same rows with plain SQL, serialised with JSON.stringify
    const floorTimes: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const page = await pg.query(
        `SELECT l.id, l.name, em.employee_number,
                (SELECT json_agg(json_build_object('id', e.id, 'status', e.status, 'enrolledAt', e.enrolled_at, 'startedAt', e.started_at, 'progressPercent', e.progress_percent,
                   'lastActivityAt', e.last_activity_at, 'timeSpentMinutes', e.time_spent_minutes, 'completedAt', e.completed_at,
                   'results', (SELECT json_agg(r.*) FROM assessment_results r WHERE r.enrolment_id = e.id),
                   'certificates', (SELECT json_agg(c.*) FROM certificates c WHERE c.enrolment_id = e.id))) FROM enrolments e WHERE e.learner_id = l.id) AS enrolments
           FROM employments em JOIN learners l ON l.id = em.learner_id WHERE em.employer_id = $1 ORDER BY l.id LIMIT 500`,
        [BENCH.employerId],
      );
      JSON.stringify(page.rows);
      floorTimes.push(performance.now() - t0);
    }
    const floor = latency(floorTimes);
    results.floor = { ...floor, gatedOverFloorP50: ratio({ what: 'gated', value: p50Of(gated1) }, { what: 'floor', value: p50Of(floor) }) };

    // 2b. what the API limits cost (docs/api-limits.md)
    results.limits = await limitsOnOff(dbUrl, hr, quick ? 30 : 60);

    // 3. ten in flight (a number of requests, not seconds: see load()), with the CPU the API and
    // the database spent per page — what docs/scaling.md extrapolates from
    const cpuOf = { api: api.pid, database: server.postmasterPid() };
    const [tenRequests, oneRequests] = quick ? [30, 10] : [120, 40];
    results.tenInFlight = { gated: await load(hr, 10, tenRequests, { cpuOf }), staff: await load(staff, 10, tenRequests, { cpuOf }) };
    results.oneInFlightThroughput = { gated: await load(hr, 1, oneRequests, { cpuOf }) };

    // 3b. the peer: PostGraphile with row-level security on the same database, same page
    await installPeerPolicies(dbUrl);
    const peer = await startPeer(dbUrl, PEER_PORT, BENCH.employerId);
    try {
      const ours = (await gql(hr, PAGE_QUERY)).body.data.learners.nodes.map((l: { id: string }) => l.id);
      const theirs = (await gql(null, PEER_PAGE_QUERY, {}, PEER_URL)).body.data.allLearners.nodes.map((l: { rowId: string }) => l.rowId);
      const peer1 = await sequential(null, n, WARMUP_PAGES, PEER_PAGE_QUERY, PEER_URL);
      const peer10 = await load(null, 10, tenRequests, { query: PEER_PAGE_QUERY, url: PEER_URL, cpuOf: { peer: peer.pid, database: server.postmasterPid() } });
      const gated10 = (results.tenInFlight as { gated: Throughput }).gated;
      results.peer = {
        oneInFlight: peer1,
        tenInFlight: peer10,
        // the same learners, in the same order, on the first page: the two read the same rows
        samePage: ours.length === theirs.length && ours.every((id: string, i: number) => id === theirs[i]),
        oursOverPeerThroughput: ratio({ what: 'ours at 10 in flight', value: rpsOf(gated10) }, { what: 'the peer at 10 in flight', value: rpsOf(peer10) }),
      };
    } finally {
      peer.kill('SIGTERM');
      await new Promise((r) => peer.once('exit', r));
    }

    // The peak RSS so far is that of the load phases; paging starts on a fresh API process so
    // its peak is its own (VmHWM never goes down).
    results.loadPhasesApiPeakRssMb = rssPeakMb(api.pid!);
    await stopApi(api);
    api = await ourApi(dbUrl);

    // 4. paging through every learner: time per page near start, middle, end — after the same
    // warm-up as above, so that the start's figure is the page's position, not the fresh process
    for (let i = 0; i < WARMUP_PAGES; i++) await gql(hr, PAGE_QUERY);
    const pageTimes: number[] = [];
    let after: string | null = null;
    const t0 = performance.now();
    do {
      const r: { ms: number; body: any } = await gql(hr, PAGE_QUERY, { after });
      pageTimes.push(r.ms);
      after = r.body.data.learners.pageInfo.hasNextPage ? r.body.data.learners.pageInfo.endCursor : null;
    } while (after);
    const third = Math.floor(pageTimes.length / 3);
    results.pagingAll = {
      pages: pageTimes.length,
      totalS: ms((performance.now() - t0) / 1000),
      start: latency(pageTimes.slice(0, third)),
      middle: latency(pageTimes.slice(third, 2 * third)),
      end: latency(pageTimes.slice(2 * third)),
      apiPeakRssMb: rssPeakMb(api.pid!),
    };
    await pg.end();

    // 4b. throughput past one process: two API processes on one database, load split round-robin,
    // then the ledger and the inbox reconciled against every answered request.
    await stopApi(api);
    results.twoProcesses = await twoProcesses({
      dbUrl,
      start: (port) => ourApi(dbUrl, port, { LOG_LEVEL: 'fatal' }),
      stop: stopApi,
      token: hr,
      query: PAGE_QUERY,
      ports: [PORT, UNLIMITED_PORT],
      connections: 10,
      seconds: quick ? 12 : 30,
      minSamples: MIN_SAMPLES,
    });
  } finally {
    await stopApi(api);
  }

  // 5. in-process: round trips, ledger + outbox time, event-loop blocking, worker drain
  await inProcess(dbUrl, quick);

  // 6. a learner's export with 10,000 disclosures in their history (docs/learner-rights.md)
  await learnerExport(dbUrl);

  // 7. every 500-item connection of the schema: p50 and the longest event-loop block
  results.connections = await connectionBlocks(dbUrl, quick ? 8 : 25);
  await server.stop();
  results.loadAverage = { start: load0, end: loadAverage() };

  mkdirSync(join(process.cwd(), 'bench', 'results'), { recursive: true });
  const file = join(process.cwd(), 'bench', 'results', `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(results, null, 2));
  const chart = join(process.cwd(), 'bench', 'results', 'latest.svg');
  writeFileSync(chart, chartOf(results));
  printTable();
  console.log(`\nwritten: ${file}\nchart:   ${chart}`);
}

/**
 * The same page on two fresh API processes, one with every limit and one with
 * GRAPHQL_LIMITS_ENABLED=false, requests alternating (and which goes first alternating), in two
 * rounds with the processes started in the opposite order: neither is always the warmer or the
 * older one. `n` pairs per round.
 */
async function limitsOnOff(dbUrl: string, hr: string, n: number) {
  const on: number[] = [];
  const off: number[] = [];
  for (const order of [
    ['on', 'off'],
    ['off', 'on'],
  ] as const) {
    const procs: ChildProcess[] = [];
    const url: Record<'on' | 'off', string> = { on: '', off: '' };
    try {
      for (const [i, which] of order.entries()) {
        const port = UNLIMITED_PORT + i;
        procs.push(await ourApi(dbUrl, port, { LOG_LEVEL: 'fatal', ...(which === 'off' ? { GRAPHQL_LIMITS_ENABLED: 'false' } : {}) }));
        url[which] = `http://127.0.0.1:${port}/graphql`;
      }
      for (let i = 0; i < WARMUP_PAGES; i++) for (const which of order) await gql(hr, PAGE_QUERY, {}, url[which]);
      for (let i = 0; i < n; i++) {
        const pair = i % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
        for (const which of pair) (which === 'on' ? on : off).push((await gql(hr, PAGE_QUERY, {}, url[which])).ms);
      }
    } finally {
      for (const p of procs) await stopApi(p);
    }
  }
  const [limitsOn, limitsOff] = [latency(on), latency(off)];
  return { on: limitsOn, off: limitsOff, onOverOffP50: ratio({ what: 'limits on', value: p50Of(limitsOn) }, { what: 'limits off', value: p50Of(limitsOff) }, 3) };
}

/** One issuer for every API process of a run (the limits on/off phase, two processes): the same tokens work on each. */
function ourApi(dbUrl: string, port = PORT, env: Record<string, string> = {}) {
  return startApi(dbUrl, port, { env, issuerPort: PORT });
}

async function inProcess(dbUrl: string, quick: boolean): Promise<void> {
  const smtp = await smtpSink();
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: dbUrl,
    JWT_ISSUER: 'http://bench.local',
    SEED_DEMO: 'false',
    WORKERS_IN_PROCESS: 'false',
    NOTIFY_COALESCE_SECONDS: '0',
    // As a dedicated worker runs (docs/operations.md): 8 delivery lanes, a pool to match.
    NOTIFY_DELIVERY_LANES: '8',
    DATABASE_POOL_SIZE: '12',
    SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    GRAPHQL_COST_REFILL_PER_SECOND: '100000000',
  });
  const app = await createApp({ ...config, databaseUrl: dbUrl }, pino({ level: 'error' }));
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  const db = app.get(DataSource);
  const { TokenService } = await import('../src/auth/token.service');
  const hr = app.get(TokenService).issue({ sub: 'bench', kind: 'EMPLOYER_CLIENT', org: BENCH.employerId, client_id: BENCH.employerClient.clientId }).accessToken;
  // The body is read but not parsed: the event loop measured below is the server's, and parsing
  // a megabyte of JSON here, in the same process, would add the client's block to it.
  const staff = app.get(TokenService).issue({ sub: 'bench-staff', kind: 'PROVIDER_STAFF', org: BENCH.providerId }).accessToken;
  const call = async (token = hr) => {
    const res = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: PAGE_QUERY }) });
    return res.text();
  };
  if (!(JSON.parse(await call()) as { data?: unknown }).data) throw new Error('the in-process page answered without data');
  // round trips of one page, on every pool of the app (the gated read path has its own)
  let queries = 0;
  const restore = [getDataSourceToken(), getDataSourceToken(GATED_CONNECTION)].map((token) => {
    const logger = app.get<DataSource>(token).logger;
    const original = logger.logQuery.bind(logger);
    logger.logQuery = (q, p, r) => {
      queries++;
      original(q, p, r);
    };
    return () => (logger.logQuery = original);
  });
  await call();
  for (const r of restore) r();
  // Warmed up as every figure of a page is (bench/page-query.ts): this app is as fresh as the process.
  for (let i = 0; i < WARMUP_PAGES; i++) for (const token of [hr, staff]) await call(token);
  // ledger + outbox write time per page, and the longest event-loop block during pages
  const ledger = app.get(DisclosureLedgerService);
  const write = ledger.write.bind(ledger);
  const writes: number[] = [];
  ledger.write = async (entries) => {
    const t0 = performance.now();
    await write(entries);
    writes.push(performance.now() - t0);
  };
  const loop = monitorEventLoopDelay({ resolution: 1 });
  const loopPages = quick ? 8 : 25;
  loop.enable();
  for (let i = 0; i < loopPages; i++) await call();
  loop.disable();
  ledger.write = write;
  // The same for the staff page (no gate, no ledger: the children come through the loaders).
  if (!(JSON.parse(await call(staff)) as { data?: unknown }).data) throw new Error('the in-process staff page answered without data');
  const staffLoop = monitorEventLoopDelay({ resolution: 1 });
  staffLoop.enable();
  for (let i = 0; i < loopPages; i++) await call(staff);
  staffLoop.disable();
  // The cost check of the page's document (docs/api-limits.md), as the cost plugin runs it.
  const { GraphQLSchemaHost } = await import('@nestjs/graphql');
  const { parse } = await import('graphql');
  const { operationCost } = await import('../src/api/query-cost');
  const schema = app.get(GraphQLSchemaHost).schema;
  const document = parse(PAGE_QUERY);
  const costChecks: number[] = [];
  let pageCost = 0;
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    pageCost = operationCost(schema, document, {}, undefined, config.graphql.listSize);
    costChecks.push(performance.now() - t0);
  }
  results.perPage = {
    // every statement of one page, counted exactly: one page is the sample
    databaseRoundTrips: { statements: queries, pages: 1 },
    ledgerAndOutboxWrite: latency(writes),
    longestEventLoopBlock: loopPages < MIN_SAMPLES ? { measured: false, completed: loopPages } : { measured: true, n: loopPages, maxMs: ms(loop.max / 1e6) },
    longestEventLoopBlockStaff: loopPages < MIN_SAMPLES ? { measured: false, completed: loopPages } : { measured: true, n: loopPages, maxMs: ms(staffLoop.max / 1e6) },
    costCheck: { ...latency(costChecks), cost: pageCost },
  };

  // worker: drain what the pages above queued (500 disclosures a page), commit → SMTP latency
  const pending = Number((await db.query(`SELECT count(*) AS n FROM notifications WHERE emailed_at IS NULL`))[0].n);
  const { NotificationWorker } = await import('../src/notifications/notification-worker.service');
  // The drain's own peak RSS (this process runs the workers): reset the high-water mark first
  // ("5" to clear_refs, Linux), and sample VmRSS as well should the reset be refused.
  const vm = (key: string) => Math.round(Number(new RegExp(`${key}:\\s+(\\d+)`).exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024);
  let hwmReset = true;
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    hwmReset = false; // VmHWM would cover the whole run: the samples alone give the drain's peak
  }
  const rssBeforeDrainMb = vm('VmRSS');
  let drainRssPeakMb = rssBeforeDrainMb;
  const t0 = performance.now();
  smtp.latencies.length = 0;
  await app.get(NotificationWorker).start();
  let left = pending;
  for (;;) {
    left = Number((await db.query(`SELECT count(*) AS n FROM notifications WHERE emailed_at IS NULL`))[0].n);
    drainRssPeakMb = Math.max(drainRssPeakMb, vm('VmRSS'));
    if (left === 0 || performance.now() - t0 > 300_000) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const drainS = (performance.now() - t0) / 1000;
  if (hwmReset) drainRssPeakMb = Math.max(drainRssPeakMb, vm('VmHWM'));
  // commit → SMTP accepted, measured on fresh disclosures with the worker running
  const fresh = Date.now();
  await call();
  const deadline = Date.now() + 60_000;
  while (smtp.received.filter((t) => t >= fresh).length < 400 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const lat = smtp.received.filter((t) => t >= fresh).map((t) => t - fresh);
  const drained = pending - left;
  results.worker = {
    pending,
    // the drain stops after 300 s: count what was sent, not what was pending
    drained,
    drainSeconds: ms(drainS),
    disclosuresPerSecond: drained < MIN_SAMPLES ? { measured: false, completed: drained } : { measured: true, n: drained, value: Math.round(drained / drainS) },
    // ms from the commit of a fresh page to each email of it accepted by the SMTP sink; n emails
    commitToSmtp: latency(lat),
    // this process: the API app, its in-process workers and the SMTP sink (docs/operations.md, "Worker memory")
    rssBeforeDrainMb,
    drainPeakRssMb: drainRssPeakMb,
    note: 'each disclosure is one learner; one email per learner (coalesced per learner)',
  };
  await app.close();
  await smtp.stop();
}

/**
 * The export of one learner whose history holds 10,000 disclosures, written through the ledger
 * as pages would write them (once; kept in the bench database). JSON and PDF are timed apart, in a
 * transaction that is rolled back, with the process's RSS sampled every 20 ms; then the whole
 * export as the worker builds it.
 */
async function learnerExport(dbUrl: string): Promise<void> {
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: dbUrl, JWT_ISSUER: 'http://bench.local', SEED_DEMO: 'false', WORKERS_IN_PROCESS: 'false' });
  const app = await createApp({ ...config, databaseUrl: dbUrl }, pino({ level: 'error' }));
  const db = app.get(DataSource);
  const HISTORY = 10_000;
  const learnerId = await historyLearner(db);
  await ensureHistory(app, learnerId, HISTORY);
  const { ExportReader } = await import('../src/rights/export/export-data');
  const { writeJson } = await import('../src/rights/export/export-json');
  const { writePdf } = await import('../src/rights/export/export-pdf');
  const { ChunkSink } = await import('../src/rights/export/chunk-sink');
  const { ExportService } = await import('../src/rights/export/export.service');
  const measure = async (what: 'json' | 'pdf') => {
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const qr = db.createQueryRunner();
    await qr.connect();
    await qr.startTransaction('REPEATABLE READ');
    const t0 = performance.now();
    let bytes = 0;
    try {
      const exportId = (await qr.query(`SELECT gen_random_uuid() AS id`))[0].id as string;
      await qr.query(`INSERT INTO learner_exports (id, learner_id, locale, requested_by) VALUES ($1, $2, 'nl', 'bench')`, [exportId, learnerId]);
      const sink = new ChunkSink(qr.manager, exportId, what);
      const meta = { exportId, generatedAt: new Date(), locale: 'nl' as const, controller: 'Leerhuis Online' };
      if (what === 'json') await writeJson(new ExportReader(qr.manager, learnerId), sink, meta);
      else await writePdf(new ExportReader(qr.manager, learnerId), sink, meta);
      bytes = (await sink.end()).bytes;
    } finally {
      await qr.rollbackTransaction();
      await qr.release();
      clearInterval(sampler);
    }
    return { seconds: ms((performance.now() - t0) / 1000), bytes, rssGrowthMb: Math.round((peak - before) / 2 ** 20) };
  };
  const json = await measure('json');
  const pdf = await measure('pdf');
  // The whole export, as the job builds it (both files, one snapshot, chunks stored, learner told).
  const exports = app.get(ExportService);
  const created = await db.transaction((em) => exports.start(em, { learnerId, requestId: null, requestedBy: 'bench' }));
  const t0 = performance.now();
  await exports.build(created.id);
  const buildS = ms((performance.now() - t0) / 1000);
  await db.query(`DELETE FROM learner_export_chunks WHERE export_id = $1`, [created.id]);
  results.learnerExport = { disclosures: Number((await db.query(`SELECT count(*) AS n FROM disclosures WHERE learner_id = $1`, [learnerId]))[0].n), json, pdf, buildSeconds: buildS };
  await app.close();
}

async function smtpSink() {
  const received: number[] = [];
  const latencies: number[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
      // No DNS on loopback tests: a reverse lookup per connection would only wait for a timeout.
      disableReverseLookup: true,
    logger: false,
    onData(stream, _s, cb) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        received.push(Date.now());
        cb();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.server.address() as AddressInfo).port, received, latencies, stop: () => new Promise<void>((r) => server.close(() => r())) };
}

interface LimitsFigure {
  on: Latency;
  off: Latency;
  onOverOffP50: Ratio;
}
interface ExportFigure {
  disclosures: number;
  json: { seconds: number; bytes: number; rssGrowthMb: number };
  pdf: { seconds: number; bytes: number; rssGrowthMb: number };
  buildSeconds: number;
}

const fmtLoad = (l: LoadAverage | null) => (l ? `${l.one} / ${l.five} / ${l.fifteen}` : 'not measured (no /proc/loadavg)');
function loadLine(): string {
  const { cpus } = results.machine as { cpus: number };
  const { start, end } = results.loadAverage as { start: LoadAverage | null; end: LoadAverage | null };
  return `load average (1 / 5 / 15 min) at start ${fmtLoad(start)}, at end ${fmtLoad(end)}; ${cpus} CPUs`;
}

/** One row of the table as a line: "what: measured (target …)". */
const fmtRow = ([what, measured, target]: [string, string, string]) => `${what}: ${measured}${target ? ` (target ${target})` : ''}`;

function limitsRow(l: LimitsFigure): [string, string, string] {
  const both = l.on.measured && l.off.measured;
  return [
    'same page, API limits on vs off (fresh processes, alternating, 2 rounds)',
    both ? `on ${fmtLatency(l.on)} vs off ${fmtLatency(l.off)}: ${fmtRatio(l.onOverOffP50)}` : `on ${fmtLatency(l.on)}; off ${fmtLatency(l.off)}`,
    '≤ 1.03×',
  ];
}

function exportRow(e: ExportFigure): [string, string, string] {
  const kb = (b: number) => Math.round(b / 1024);
  return [
    `learner export, ${e.disclosures} disclosures in the history`,
    `JSON ${e.json.seconds} s (${kb(e.json.bytes)} kB, RSS +${e.json.rssGrowthMb} MB); PDF ${e.pdf.seconds} s (${kb(e.pdf.bytes)} kB, RSS +${e.pdf.rssGrowthMb} MB); whole export job ${e.buildSeconds} s (1 run each)`,
    'JSON ≤ 2 s, PDF ≤ 10 s, RSS growth ≤ 100 MB',
  ];
}

/** "7 ms API + 12 ms PostgreSQL CPU per page" from a load phase's CPU accounting, or why not. */
function fmtCpu(f: Throughput & { cpuMsPerRequest?: Record<string, number | null> }, names: Record<string, string>): string {
  if (!f.measured || !f.cpuMsPerRequest) return 'CPU per request not measured';
  const parts = Object.entries(names).map(([k, label]) => (f.cpuMsPerRequest![k] === null ? `${label} not measured` : `${label} ${f.cpuMsPerRequest![k]} ms`));
  return `CPU per request: ${parts.join(', ')}`;
}

/** The ratio with the sample counts of both sides, e.g. "1.4× (n 10 / 10)". */
function fmtRatioOf(r: Ratio, a: Latency | Throughput, b: Latency | Throughput): string {
  const n = (f: Latency | Throughput) => (f.measured ? ('n' in f ? f.n : f.completed) : f.completed);
  return r.measured ? `${fmtRatio(r)} (n ${n(a)} / ${n(b)})` : fmtRatio(r);
}

function printTable(): void {
  const r = results as any;
  const one = r.onePageOneInFlight as { gated: Latency; staff: Latency; ratioP50: Ratio; withClientParse: { gated: Latency; staff: Latency }; firstPagesAfterStart: Latency };
  const ten = r.tenInFlight as { gated: Throughput; staff: Throughput };
  const peer = r.peer as { oneInFlight: Latency; tenInFlight: Throughput; samePage: boolean; oursOverPeerThroughput: Ratio };
  const paging = r.pagingAll as { pages: number; totalS: number; start: Latency; middle: Latency; end: Latency; apiPeakRssMb: number };
  const p50 = (f: Latency) => (f.measured ? `${f.p50} ms (n ${f.n})` : notMeasured(f));
  const block = r.perPage.longestEventLoopBlock as { measured: true; n: number; maxMs: number } | { measured: false; completed: number };
  const staffBlock = r.perPage.longestEventLoopBlockStaff as { measured: true; n: number; maxMs: number } | { measured: false; completed: number };
  const rate = r.worker.disclosuresPerSecond as { measured: true; n: number; value: number } | { measured: false; completed: number };
  const smtp = r.worker.commitToSmtp as Latency;
  const learnersPerS = ten.gated.measured ? ` = ${Math.round(ten.gated.rps * 500)} learners/s` : '';
  // Targets: the non-functional targets of the project (docs/benchmarks.md has the history).
  const rows: [string, string, string][] = [
    ['machine', `${r.machine.cpus} CPUs (${r.machine.cpuModel}), ${r.machine.memGb} GB, Node ${r.machine.node}; ${r.dataSet.learners} learners`, ''],
    ['load average, 1 / 5 / 15 min (shared machine)', `at start ${fmtLoad(r.loadAverage.start)}; at end ${fmtLoad(r.loadAverage.end)}`, ''],
    ['500-learner page, gated + ledger + outbox, 1 in flight (to the last byte)', fmtLatency(one.gated), 'p50 ≤ 100 ms'],
    ['same page as provider staff (no gate, no ledger), alternating', fmtLatency(one.staff), ''],
    ['both with the client\'s JSON.parse of the answer: gated; staff', `${fmtLatency(one.withClientParse.gated)}; ${fmtLatency(one.withClientParse.staff)}`, ''],
    ['gated page, the first ten after the API started (warm-up, not measured above)', fmtLatency(one.firstPagesAfterStart), ''],
    ['gated / staff (p50)', fmtRatioOf(one.ratioP50, one.gated, one.staff), '≤ 1.15×'],
    ['floor: plain SQL + JSON.stringify', fmtLatency(r.floor), ''],
    ['gated / floor (p50)', fmtRatioOf(r.floor.gatedOverFloorP50, one.gated, r.floor), '≤ 3×'],
    ['10 in flight, gated', `${fmtThroughput(ten.gated)}${learnersPerS}; ${fmtCpu(ten.gated, { api: 'API', database: 'PostgreSQL' })}`, ''],
    ['10 in flight, staff', `${fmtThroughput(ten.staff)}; ${fmtCpu(ten.staff, { api: 'API', database: 'PostgreSQL' })}`, ''],
    ['1 in flight, gated (throughput)', `${fmtThroughput(r.oneInFlightThroughput.gated)}; ${fmtCpu(r.oneInFlightThroughput.gated, { api: 'API', database: 'PostgreSQL' })}`, ''],
    ['API peak RSS during the load phases', `${r.loadPhasesApiPeakRssMb} MB (1 process)`, ''],
    ['peer: PostGraphile 5 + row-level security, same page, 1 in flight', `${fmtLatency(peer.oneInFlight)}; same first page: ${peer.samePage}`, ''],
    ['peer, 10 in flight', `${fmtThroughput(peer.tenInFlight)}; ${fmtCpu(peer.tenInFlight, { peer: 'PostGraphile', database: 'PostgreSQL' })}`, ''],
    ['ours / peer throughput, 10 in flight', fmtRatioOf(peer.oursOverPeerThroughput, ten.gated, peer.tenInFlight), '≥ 5×'],
    limitsRow(r.limits as LimitsFigure),
    ['database round trips per page', `${r.perPage.databaseRoundTrips.statements} (every statement of 1 page)`, '≤ 8'],
    ['cost check of the page document', `${fmtLatency(r.perPage.costCheck)}; cost ${r.perPage.costCheck.cost}`, '≤ 1 ms'],
    ['ledger + outbox write per page', fmtLatency(r.perPage.ledgerAndOutboxWrite), 'p95 ≤ 10 ms'],
    ['longest event-loop block during pages', block.measured ? `${block.maxMs} ms (max over n ${block.n} pages)` : notMeasured(block), '≤ 25 ms'],
    ['longest event-loop block during staff pages', staffBlock.measured ? `${staffBlock.maxMs} ms (max over n ${staffBlock.n} pages)` : notMeasured(staffBlock), '≤ 25 ms'],
    [
      `paging all ${r.dataSet.learners} learners`,
      `${paging.pages} pages in ${paging.totalS} s; p50 per page start ${p50(paging.start)} / middle ${p50(paging.middle)} / end ${p50(paging.end)}; API peak RSS (fresh process) ${paging.apiPeakRssMb} MB`,
      'flat; RSS ≤ 512 MB',
    ],
    exportRow(r.learnerExport as ExportFigure),
    [
      'notification worker (in-process, 8 lanes)',
      `${rate.measured ? `${rate.value} disclosures/s (n ${rate.n} drained of ${r.worker.pending} in ${r.worker.drainSeconds} s)` : `${notMeasured(rate)} of ${r.worker.pending} pending`}; commit → SMTP ${smtp.measured ? `p95 ${smtp.p95} ms (n ${smtp.n} emails)` : notMeasured(smtp)}`,
      '≥ 1000/s; p95 ≤ 5 s',
    ],
    ['peak RSS during the drain (in-process workers)', `${r.worker.drainPeakRssMb} MB (${r.worker.rssBeforeDrainMb} MB before it)`, '≤ 512 MB'],
    ...twoProcessRows(r.twoProcesses as TwoProcessesFigure | undefined),
    ...connectionRows(r.connections as ConnectionFigure[]),
  ];
  const w0 = Math.max(...rows.map((x) => x[0].length));
  const w1 = Math.max(...rows.map((x) => x[1].length));
  console.log(`\n${'what'.padEnd(w0)} | ${'measured'.padEnd(w1)} | target`);
  console.log(`${'-'.repeat(w0)}-|-${'-'.repeat(w1)}-|-------`);
  for (const [a, b, c] of rows) console.log(`${a.padEnd(w0)} | ${b.padEnd(w1)} | ${c}`);
  console.log(`\nA figure from fewer than ${MIN_SAMPLES} samples reads "not measured"; n is the number of samples behind each figure.`);
}

/** A row per connection: its p50 and its longest block, with the number of items it answered. */
function connectionRows(figures: ConnectionFigure[]): [string, string, string][] {
  return figures.map((c) => [
    `${c.name}, ${c.items} items, 1 in flight`,
    `${fmtLatency(c.latency)}; API CPU ${c.apiCpuMsPerRead} ms a read; the API's longest event-loop block ${c.longestBlock.measured ? `${c.longestBlock.maxMs} ms (max over n ${c.longestBlock.n} reads)` : notMeasured(c.longestBlock)}`,
    'block ≤ 25 ms',
  ]);
}

type TwoProcessesFigure = Awaited<ReturnType<typeof twoProcesses>>;

function twoProcessRows(f: TwoProcessesFigure | undefined): [string, string, string][] {
  if (!f) return [];
  const phase = (p: TwoProcessesFigure['one']) =>
    p.p50 === null ? `not measured (${p.completed} completed)` : `${p.rps} req/s, p50 ${p.p50} ms, p95 ${p.p95} ms (n ${p.completed}, failed ${p.failed})`;
  const rec = f.reconciliation;
  return [
    ['10 in flight, gated, 1 API process (fetch loops)', phase(f.one), ''],
    ['10 in flight, gated, 2 API processes, one database', `${phase(f.two)}; ${f.throughputRatio === null ? 'ratio not measured' : `${f.throughputRatio}× one process`}`, ''],
    [
      'ledger / inbox after the 2-process phase',
      `${rec.ok ? 'reconciled' : 'MISMATCH'}: ${rec.answered} answered, ${rec.requests} in the ledger, ${rec.entries} entries (${rec.perRequestMin}–${rec.perRequestMax} per request), ${rec.duplicates} duplicates, ${rec.notifications} notifications`,
      'nothing lost or duplicated',
    ],
  ];
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
