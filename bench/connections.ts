import type { ChildProcess } from 'node:child_process';
import pino from 'pino';
import { DataSource } from 'typeorm';
import { createApp } from '../src/app.factory';
import { TokenService } from '../src/auth/token.service';
import { uuid7 } from '../src/common/uuid7';
import { loadConfig } from '../src/config/app-config';
import { EVENT_TYPES, type EventType } from '../src/events/event-types';
import { writeEvents, type NewEvent } from '../src/events/events-writer';
import { newSigningSecret } from '../src/events/webhooks/webhook-signing';
import { clientToken, metricsOf, procStat } from './api-metrics';
import { startApi, stopApi } from './api-process';
import { latency, MIN_SAMPLES, round1, type Latency } from './figures';
import { ensureHistory, historyLearner } from './history';
import { ticksPerSecond } from './machine';
import { PAGE_QUERY, WARMUP_PAGES } from './page-query';
import { BENCH } from './seed';

/** Items a connection is read with: the largest page the API serves (src/common/pagination/connection.ts). */
const ITEMS = 500;

const PAGE_INFO = 'pageInfo { endCursor hasNextPage }';
const DISCLOSURE = `id kind disclosedAt learnerId recipientId requestId operationName actorSubject apiClientId reason
  recipient { id name } onBehalfOf { id name }
  items { enrolmentId courseId courseTitle categories { category label basis basisLabel basisDescription agreementId agreementVersion agreementVersionId onBehalfOf onBehalfOfOrganisation { id name } } }`;

type Who = 'hr' | 'staff' | 'learner';

/** Every connection of the schema, read by whom, with every field its items have (docs/benchmarks.md, "Every connection"). */
const CONNECTIONS: { name: string; who: Who; query: string }[] = [
  { name: 'learners (employer client: gated, ledgered)', who: 'hr', query: PAGE_QUERY },
  { name: 'learners (provider staff)', who: 'staff', query: PAGE_QUERY },
  {
    name: 'enrolments (provider staff)',
    who: 'staff',
    query: `{ enrolments(first: ${ITEMS}) { nodes { id learnerId courseId sponsorEmployerId enrolledById status enrolledAt startedAt startsOn progressPercent
      lastActivityAt timeSpentMinutes completedAt completed updatedAt accreditationPointsEarned course { id code title accreditationPoints accreditationBody }
      assessmentResults { id enrolmentId assessmentName attemptedAt score maxScore passed }
      certificates { id enrolmentId number issuedAt expiresAt accreditationPoints withheld { field reason } } withheld { field reason } } ${PAGE_INFO} } }`,
  },
  { name: 'disclosures (employer client: what it received)', who: 'hr', query: `{ disclosures(first: ${ITEMS}) { edges { cursor node { ${DISCLOSURE} } } ${PAGE_INFO} } }` },
  { name: 'disclosures (learner: their own)', who: 'learner', query: `{ disclosures(first: ${ITEMS}) { edges { cursor node { ${DISCLOSURE} } } ${PAGE_INFO} } }` },
  { name: 'disclosures (provider staff: all)', who: 'staff', query: `{ disclosures(first: ${ITEMS}) { edges { cursor node { ${DISCLOSURE} } } ${PAGE_INFO} } }` },
  {
    name: 'notifications (learner: the inbox)',
    who: 'learner',
    query: `{ notifications(first: ${ITEMS}) { nodes { id kind createdAt readAt emailedAt basis basisLabel basisDescription courseTitle recipientId
      recipient { id name } onBehalfOf { id name } disclosureId disclosure { ${DISCLOSURE} } } ${PAGE_INFO} } }`,
  },
  {
    name: 'events (employer client: the feed)',
    who: 'hr',
    query: `{ events(first: ${ITEMS}) { nodes { id type typeName createdAt occurredAt learnerId enrolmentId courseId categories reason endpointId } ${PAGE_INFO} } }`,
  },
  {
    name: 'webhookDeliveries (employer client)',
    who: 'hr',
    query: `query D($endpoint: ID!) { webhookDeliveries(endpointId: $endpoint, first: ${ITEMS}) { nodes { id eventId eventType status attempts createdAt deliveredAt
      lastAttemptAt lastError lastStatus nextAttemptAt } ${PAGE_INFO} } }`,
  },
  { name: 'courses (provider staff)', who: 'staff', query: `{ courses(first: ${ITEMS}) { nodes { id code title accreditationPoints accreditationBody } ${PAGE_INFO} } }` },
  { name: 'organisations (provider staff)', who: 'staff', query: `{ organisations(first: ${ITEMS}) { nodes { id kind name chamberOfCommerceNumber createdAt } ${PAGE_INFO} } }` },
];

export type ConnectionFigure = {
  name: string;
  /** Items in one answer: fewer than 500 where the data set holds fewer (courses, organisations). */
  items: number;
  latency: Latency;
  /** The API process's own longest block over the reads (prom-client's event-loop monitor, 10 ms resolution). */
  longestBlock: { measured: true; n: number; maxMs: number } | { measured: false; completed: number };
  /** The API process's CPU (user + system) per read. */
  apiCpuMsPerRead: number;
};

const PORT = Number(process.env.BENCH_CONNECTIONS_PORT ?? 3920);
/** The API serves /metrics in production only with a token: this run's own. */
const METRICS_TOKEN = `bench-connections-${process.pid}`;

/**
 * Every 500-item connection read `reads` times one at a time from an API process of its own,
 * with that process's longest event-loop block and CPU while they ran (from its /metrics and
 * /proc: the client's work of reading a large answer is not counted). The data set has more than
 * 500 items for each but courses and organisations; what it lacks is written first, through the
 * ledger and the events writer, and kept: a learner's history of disclosures and inbox rows, the
 * employer's events, and one webhook endpoint with a delivery per event (disabled afterwards, so
 * that no later run's workers send them anywhere). `only`: the connections whose name contains it;
 * `nodeArgs`: flags for the API's Node (e.g. `--cpu-prof`).
 */
export async function connectionBlocks(dbUrl: string, reads: number, opts: { only?: string; nodeArgs?: string[] } = {}): Promise<ConnectionFigure[]> {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: dbUrl,
    // The API process's issuer (bench/api-process.ts), so that it accepts the learner's token made here.
    JWT_ISSUER: `http://127.0.0.1:${PORT}`,
    SEED_DEMO: 'false',
    WORKERS_IN_PROCESS: 'false',
  });
  const app = await createApp({ ...config, databaseUrl: dbUrl }, pino({ level: 'error' }));
  let api: ChildProcess | undefined;
  try {
    await app.init();
    const db = app.get(DataSource);
    const learnerId = await historyLearner(db);
    await ensureHistory(app, learnerId, ITEMS + 100);
    const endpoint = await ensureDeliveries(db, ITEMS + 100);
    api = await startApi(dbUrl, PORT, { env: { METRICS_TOKEN }, nodeArgs: opts.nodeArgs });
    const token: Record<Who, string> = {
      hr: await clientToken(PORT, BENCH.employerClient),
      staff: await clientToken(PORT, BENCH.staffClient),
      learner: app.get(TokenService).issue({ sub: learnerId, kind: 'LEARNER' }).accessToken,
    };
    const call = async (who: Who, query: string) => {
      const res = await fetch(`http://127.0.0.1:${PORT}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token[who]}` },
        body: JSON.stringify({ query, variables: { endpoint } }),
      });
      return res.text();
    };
    // The process warmed up first, as for every figure of a page (bench/page-query.ts): the
    // learners pages come first below, and were measured in a process two reads old.
    for (let i = 0; i < WARMUP_PAGES; i++) for (const who of ['hr', 'staff'] as const) await call(who, PAGE_QUERY);
    const figures: ConnectionFigure[] = [];
    for (const c of CONNECTIONS.filter((x) => !opts.only || x.name.includes(opts.only))) {
      const first = JSON.parse(await call(c.who, c.query)) as { data?: Record<string, { nodes?: unknown[]; edges?: unknown[] }>; errors?: unknown };
      if (!first.data || first.errors) throw new Error(`${c.name} answered with errors: ${JSON.stringify(first.errors)}`);
      const conn = Object.values(first.data)[0];
      const items = (conn.nodes ?? conn.edges ?? []).length;
      // A document is compiled the second time it comes (src/api/compiled-execution.plugin.ts).
      for (let i = 0; i < 2; i++) await call(c.who, c.query);
      const [s0] = [procStat(api.pid!), await metricsOf(PORT, METRICS_TOKEN)];
      const times: number[] = [];
      for (let i = 0; i < reads; i++) {
        const t0 = performance.now();
        await call(c.who, c.query);
        times.push(performance.now() - t0);
      }
      const [s1, m1] = [procStat(api.pid!), await metricsOf(PORT, METRICS_TOKEN)];
      const maxMs = round1((m1.get('rsa_nodejs_eventloop_lag_max_seconds') ?? NaN) * 1000);
      figures.push({
        name: c.name,
        items,
        latency: latency(times),
        longestBlock: reads < MIN_SAMPLES || !Number.isFinite(maxMs) ? { measured: false, completed: reads } : { measured: true, n: reads, maxMs },
        apiCpuMsPerRead: round1(((s1.ticks - s0.ticks) / ticksPerSecond()) * 1000 / reads),
      });
    }
    return figures;
  } finally {
    if (api) await stopApi(api);
    await app.close();
  }
}

/** One endpoint of the employer's, with at least `count` deliveries; its id. */
async function ensureDeliveries(db: DataSource, count: number): Promise<string> {
  const URL = 'https://hooks.bench.invalid/connections';
  let [endpoint] = await db.query<{ id: string }[]>(`SELECT id FROM webhook_endpoints WHERE owner_id = $1 AND url = $2`, [BENCH.employerId, URL]);
  if (!endpoint) {
    endpoint = { id: uuid7() };
    await db.query(
      `INSERT INTO webhook_endpoints (id, owner_id, url, description, event_types, enabled, disabled_reason, max_in_flight, secret)
       VALUES ($1, $2, $3, 'bench: every connection', $4, false, 'bench data: never sent', 4, $5)`,
      [endpoint.id, BENCH.employerId, URL, EVENT_TYPES.filter((t) => t !== 'webhook_endpoint.disabled'), newSigningSecret()],
    );
  }
  const have = Number((await db.query(`SELECT count(*) AS n FROM webhook_deliveries WHERE endpoint_id = $1`, [endpoint.id]))[0].n);
  if (have >= count) return endpoint.id;
  const enrolments = await db.query<{ id: string; learnerId: string; courseId: string }[]>(
    `SELECT e.id, e.learner_id AS "learnerId", e.course_id AS "courseId" FROM enrolments e JOIN employments m ON m.learner_id = e.learner_id
      WHERE m.employer_id = $1 ORDER BY e.id LIMIT $2`,
    [BENCH.employerId, count - have],
  );
  const types: EventType[] = ['enrolment.progress_changed', 'enrolment.completed', 'assessment_result.recorded', 'certificate.issued', 'access.ended'];
  const events: NewEvent[] = enrolments.map((e, i) => {
    const type = types[i % types.length];
    return {
      id: uuid7(),
      recipientId: BENCH.employerId,
      type,
      learnerId: e.learnerId,
      enrolmentId: e.id,
      courseId: e.courseId,
      categories: type === 'access.ended' ? ['PROGRESS', 'COMPLETION'] : ['PROGRESS'],
      reason: type === 'access.ended' ? 'NOT_SHARED' : null,
      occurredAt: new Date(),
    };
  });
  // Enabled only while the events are written (deliveries are made for enabled endpoints).
  await db.transaction(async (em) => {
    await em.query(`UPDATE webhook_endpoints SET enabled = true, disabled_reason = NULL WHERE id = $1`, [endpoint.id]);
    await writeEvents(em.queryRunner!, events);
    await em.query(`UPDATE webhook_endpoints SET enabled = false, disabled_reason = 'bench data: never sent' WHERE id = $1`, [endpoint.id]);
  });
  return endpoint.id;
}
