import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { uuid7 } from '../src/common/uuid7';
import { loadConfig } from '../src/config/app-config';
import { entryHash, merkleRoot } from '../src/disclosures/ledger-hash';
import { emailJob } from '../src/outbox/job-queue';
import { startApi, stopApi } from './api-process';
import { BENCH_DB, benchServer } from './bench-db';
import { percentile, round1 } from './figures';
import { loadAverage } from './machine';
import { PAGE_QUERY } from './page-query';
import { BENCH } from './seed';

/**
 * `npm run bench:ledger -- --rounds 30`: what one page's ledger write costs in PostgreSQL as it is
 * stored today, and as it would cost in the stored forms docs/benchmarks.md names as the next
 * steps ("What limits it now") — measured here, on the same parameters, before anyone builds them.
 *
 * A gated page is read once through the API (seeded database of `npm run bench:seed`); its
 * ledger entries are read back and written again, each call with fresh ids and hashes, by four
 * functions made from today's `ledger_append()` (its definition read from the database and
 * retargeted, so the baseline is the function as deployed):
 *
 *  - today: the function as it is, on copies of the ledger's tables (same rows, same indexes);
 *  - no inbox rows: without the learner's notification rows;
 *  - one row per page: also the entries as one row of arrays, with a GIN index on its learners;
 *  - chain link and job: only the chain link and the email job — the floor of one statement
 *    that carries a page's entries.
 *
 * Each call is its own transaction and commits, as at the API; the calls of the four alternate,
 * so all see the same machine. The copies live in a schema of their own, dropped afterwards; the
 * email jobs are queued a year ahead and deleted afterwards. Times are client-side (the parameters
 * sent, the statement run, the commit), without the API's building of the call.
 */
const PORT = Number(process.env.BENCH_LEDGER_PORT ?? 3915);
const SCHEMA = 'ledger_floor';
const SIGNATURE = 'ledger_append(smallint, text, timestamptz, text, text, uuid, text, text, uuid[], uuid[], uuid[], text, text[], ledger_entry_kind, jsonb)';

interface Variant {
  name: string;
  what: string;
  fn: string;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '30' } } });
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 5) throw new Error('--rounds: a whole number, at least 5');
  const server = await benchServer();
  const url = server.url(BENCH_DB);
  const db = new Client({ connectionString: url });
  try {
    await writeOnePage(url);
    await db.connect();
    const page = await newestPage(db);
    const variants = await makeVariants(db);
    const load = { start: loadAverage()?.raw ?? null, end: null as string | null };
    const times = new Map<string, number[]>(variants.map((v) => [v.name, []]));
    const wal = new Map<string, number>(variants.map((v) => [v.name, 0]));
    for (let round = -2; round < rounds; round++) {
      for (const v of variants) {
        const params = callParams(page);
        const before = await walPosition(db);
        const t0 = performance.now();
        await db.query(`SELECT ${SCHEMA}.${v.fn}($1::smallint, $2, $3::timestamptz, $4, $5, $6::uuid, $7, $8, $9::uuid[], $10::uuid[], $11::uuid[], $12::text, $13::text[], $14::ledger_entry_kind, $15::jsonb)`, params);
        const ms = performance.now() - t0;
        if (round < 0) continue; // the first two rounds warm the plans and the caches
        times.get(v.name)!.push(ms);
        wal.set(v.name, wal.get(v.name)! + Number((await db.query<{ b: string }>(`SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), $1) AS b`, [before])).rows[0].b));
      }
    }
    load.end = loadAverage()?.raw ?? null;
    console.log(`one page's ledger write: ${page.learnerIds.length} entries, ${Math.round(page.contents.length / 1024)} kB of contents; ${rounds} calls each, alternating; load average at start ${load.start}, at end ${load.end}\n`);
    console.log('| stored as | p50 | p95 | WAL per call |\n| --- | --- | --- | --- |');
    for (const v of variants) {
      const xs = times.get(v.name)!;
      console.log(`| ${v.what} | ${round1(percentile(xs, 50))} ms | ${round1(percentile(xs, 95))} ms | ${Math.round(wal.get(v.name)! / xs.length / 1024)} kB |`);
    }
  } finally {
    await db.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`).catch(() => undefined);
    await db.query(`DELETE FROM pgboss.job WHERE data->>'ledgerFloor' = 'true'`).catch(() => undefined);
    await db.end().catch(() => undefined);
    await server.stop();
  }
}

/** One gated page through the API, as `npm run bench` reads it: its ledger write is the one measured. */
async function writeOnePage(url: string): Promise<void> {
  const api = await startApi(url, PORT);
  try {
    const res = await fetch(`http://127.0.0.1:${PORT}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: BENCH.employerClient.clientId, client_secret: BENCH.employerClient.secret }),
    });
    const token = ((await res.json()) as { access_token: string }).access_token;
    const page = await fetch(`http://127.0.0.1:${PORT}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: PAGE_QUERY }),
    });
    if (((await page.json()) as { errors?: unknown }).errors) throw new Error('the gated page answered with errors: is the database seeded (npm run bench:seed)?');
  } finally {
    await stopApi(api);
  }
}

interface Page {
  recipientId: string;
  actorSubject: string;
  apiClientId: string | null;
  operationName: string | null;
  learnerIds: string[];
  /** The entries' contents, one per line, as ledger_append takes them. */
  contents: string;
}

/** The newest page-sized batch of the ledger. */
async function newestPage(db: Client): Promise<Page> {
  const rows = (
    await db.query<{ recipient_id: string; actor_subject: string; api_client_id: string | null; operation_name: string | null; learner_id: string; content: string }>(
      `SELECT d.recipient_id, d.actor_subject, d.api_client_id, d.operation_name, d.learner_id, d.content FROM disclosures d
        WHERE d.batch_id = (SELECT id FROM ledger_batches WHERE entry_count > 1 ORDER BY id DESC LIMIT 1) ORDER BY d.position`,
    )
  ).rows;
  if (rows.length === 0) throw new Error('no page in the ledger');
  const [first] = rows;
  return {
    recipientId: first.recipient_id,
    actorSubject: first.actor_subject,
    apiClientId: first.api_client_id,
    operationName: first.operation_name,
    learnerIds: rows.map((r) => r.learner_id),
    contents: rows.map((r) => r.content).join('\n'),
  };
}

/** ledger_append()'s parameters for this page, with fresh ids and the hashes they make. */
function callParams(page: Page): unknown[] {
  const now = Date.now();
  const request = {
    disclosedAt: new Date(now).toISOString(),
    requestId: `ledger-floor-${now}`,
    operationName: page.operationName,
    recipientId: page.recipientId,
    actorSubject: page.actorSubject,
    apiClientId: page.apiClientId,
  };
  const contents = page.contents.split('\n');
  const ids = page.learnerIds.map(() => uuid7(now));
  const hashes = ids.map((id, i) => entryHash({ ...request, id, kind: 'DISCLOSURE', learnerId: page.learnerIds[i] }, contents[i]));
  const job = emailJob(page.learnerIds, loadConfig({}).notifications, now);
  return [
    0,
    merkleRoot(hashes),
    request.disclosedAt,
    request.requestId,
    request.operationName,
    request.recipientId,
    request.actorSubject,
    request.apiClientId,
    ids,
    page.learnerIds.map(() => uuid7(now)),
    page.learnerIds,
    page.contents,
    hashes,
    'DISCLOSURE',
    // A year ahead, so that no worker sends it; marked, so that it is deleted afterwards.
    JSON.stringify({ ...job, data: { ...job.data, ledgerFloor: 'true' }, startAfter: new Date(now + 365 * 86_400_000) }),
  ];
}

/**
 * Copies of the ledger's tables (rows and indexes) in a schema of their own, and the four
 * functions, made from the deployed ledger_append() by replacing statements in its definition.
 */
async function makeVariants(db: Client): Promise<Variant[]> {
  await db.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE; CREATE SCHEMA ${SCHEMA}`);
  for (const table of ['ledger_batches', 'disclosures', 'notifications']) {
    await db.query(`CREATE TABLE ${SCHEMA}.${table} (LIKE public.${table} INCLUDING ALL); INSERT INTO ${SCHEMA}.${table} SELECT * FROM public.${table}`);
  }
  await db.query(`CREATE TABLE ${SCHEMA}.pages (batch_id bigint NOT NULL, ids uuid[] NOT NULL, learner_ids uuid[] NOT NULL, contents text NOT NULL, hashes text[] NOT NULL)`);
  await db.query(`CREATE INDEX ON ${SCHEMA}.pages USING gin (learner_ids)`);
  const [{ def }] = (await db.query<{ def: string }>(`SELECT pg_get_functiondef(to_regprocedure($1)) AS def`, [SIGNATURE])).rows;
  const replace = (sql: string, pattern: RegExp, by: string): string => {
    if (!pattern.test(sql)) throw new Error(`ledger_append() changed (no ${pattern} in it): update bench/ledger-floor.ts`);
    return sql.replace(pattern, by);
  };
  let today = replace(def, /FUNCTION public\.ledger_append\(/, `FUNCTION ${SCHEMA}.today(`);
  today = replace(today, /\bledger_batches\b/g, `${SCHEMA}.ledger_batches`);
  today = replace(today, /INSERT INTO disclosures\b/, `INSERT INTO ${SCHEMA}.disclosures`);
  today = replace(today, /INSERT INTO notifications\b/, `INSERT INTO ${SCHEMA}.notifications`);
  const noInbox = replace(replace(today, /FUNCTION \w+\.today\(/, `FUNCTION ${SCHEMA}.no_inbox(`), new RegExp(`INSERT INTO ${SCHEMA}\\.notifications[^;]*;`), '');
  const onePage = replace(
    replace(noInbox, /FUNCTION \w+\.no_inbox\(/, `FUNCTION ${SCHEMA}.one_row(`),
    new RegExp(`INSERT INTO ${SCHEMA}\\.disclosures[^;]*;`),
    `INSERT INTO ${SCHEMA}.pages (batch_id, ids, learner_ids, contents, hashes) VALUES (v_batch, p_ids, p_learner_ids, p_contents, p_hashes);`,
  );
  const linkAndJob = replace(replace(onePage, /FUNCTION \w+\.one_row\(/, `FUNCTION ${SCHEMA}.link_and_job(`), new RegExp(`INSERT INTO ${SCHEMA}\\.pages[^;]*;`), '');
  for (const sql of [today, noInbox, onePage, linkAndJob]) await db.query(sql);
  return [
    { name: 'today', fn: 'today', what: 'today: an entry and an inbox row per learner' },
    { name: 'no_inbox', fn: 'no_inbox', what: 'an entry per learner, no inbox rows' },
    { name: 'one_row', fn: 'one_row', what: "the page's entries as one row (GIN index on its learners)" },
    { name: 'link_and_job', fn: 'link_and_job', what: 'only the chain link and the email job (the parameters still sent)' },
  ];
}

async function walPosition(db: Client): Promise<string> {
  return (await db.query<{ l: string }>(`SELECT pg_current_wal_insert_lsn()::text AS l`)).rows[0].l;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
