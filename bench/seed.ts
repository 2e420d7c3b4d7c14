import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { hashClientSecret } from '../src/auth/client-secret';
import { migrate } from '../src/database/migrate';
import { BENCH_DB, benchServer, recreateDatabase } from './bench-db';

/**
 * `npm run bench:seed -- --learners 10000 --seed 42`: the reference data set of docs/benchmarks.md — one
 * employer's learners with 3 enrolments each, results and certificates, and agreements of all
 * four bases, objections, withdrawn consents, restrictions and ended employments. Reproducible:
 * the same seed gives the same data (ids included). Bulk inserts with unnest, 5,000 rows a statement.
 */
export const BENCH = {
  providerId: '00000000-0000-4000-8000-00000000b001',
  employerId: '00000000-0000-4000-8000-00000000b002',
  brokerId: '00000000-0000-4000-8000-00000000b003',
  employerClient: { clientId: 'bench-hr', secret: 'bench-hr-secret' },
  brokerClient: { clientId: 'bench-broker', secret: 'bench-broker-secret' },
  staffClient: { clientId: 'bench-staff', secret: 'bench-staff-secret' },
};

/** mulberry32: a small seeded PRNG, so the data set is the same on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uuidFrom(rand: () => number): string {
  const h = Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16));
  h[12] = '4';
  h[16] = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

const DAY = 86_400_000;
const CATEGORIES_ALL = '{ENROLMENT_STATUS,PROGRESS,TIME_SPENT,COMPLETION,ASSESSMENT_RESULTS,CERTIFICATES,ACCREDITATION}';

async function insert(c: Client, sql: string, columns: unknown[][], types: string[]): Promise<void> {
  const CHUNK = 5000;
  const n = columns[0].length;
  for (let i = 0; i < n; i += CHUNK) {
    const slice = columns.map((col) => col.slice(i, i + CHUNK));
    await c.query(sql.replace('$UNNEST', `unnest(${types.map((t, k) => `$${k + 1}::${t}[]`).join(', ')})`), slice);
  }
}

export async function seed(url: string, learners: number, seedNumber: number, log = console.log): Promise<void> {
  const rand = prng(seedNumber);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const now = Date.now();
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('BEGIN');
    await c.query(
      `INSERT INTO organisations (id, kind, name) VALUES ($1, 'PROVIDER', 'Bench Provider'), ($2, 'EMPLOYER', 'Bench Employer'), ($3, 'BROKER', 'Bench Broker')`,
      [BENCH.providerId, BENCH.employerId, BENCH.brokerId],
    );
    for (const [org, client] of [
      [BENCH.employerId, BENCH.employerClient],
      [BENCH.brokerId, BENCH.brokerClient],
      [BENCH.providerId, BENCH.staffClient],
    ] as const) {
      await c.query(`INSERT INTO api_clients (organisation_id, name, client_id, secret_hash, created_by) VALUES ($1, $2, $3, $4, 'bench')`, [
        org,
        client.clientId,
        client.clientId,
        await hashClientSecret(client.secret),
      ]);
    }
    await c.query(
      `INSERT INTO broker_mandates (broker_id, employer_id, valid_from, permissions, categories) VALUES ($1, $2, now() - interval '1 year', '{ENROL,VIEW_RESULTS}', '{ENROLMENT_STATUS,PROGRESS,COMPLETION,CERTIFICATES}')`,
      [BENCH.brokerId, BENCH.employerId],
    );
    const courseIds = Array.from({ length: 20 }, () => uuidFrom(rand));
    await insert(c, `INSERT INTO courses (id, code, title, accreditation_points) SELECT * FROM $UNNEST`, [courseIds, courseIds.map((_, i) => `BENCH-${i + 1}`), courseIds.map((_, i) => `Bench course ${i + 1}`), courseIds.map((_, i) => (i % 3 === 0 ? null : (i % 5) + 1))], ['uuid', 'text', 'text', 'numeric']);

    const L = { id: [] as string[], name: [] as string[], email: [] as string[], locale: [] as string[] };
    const E = { learner: [] as string[], number: [] as string[], started: [] as string[], ended: [] as (string | null)[] };
    const N = { id: [] as string[], learner: [] as string[], course: [] as string[], sponsor: [] as (string | null)[], by: [] as string[], status: [] as string[], enrolled: [] as string[], started: [] as (string | null)[], completed: [] as (string | null)[], progress: [] as number[], minutes: [] as number[], activity: [] as (string | null)[] };
    const R = { enrolment: [] as string[], at: [] as string[], score: [] as number[], passed: [] as boolean[] };
    const C = { enrolment: [] as string[], number: [] as string[], issued: [] as string[], expires: [] as string[], points: [] as (number | null)[] };
    const A = { id: [] as string[], basis: [] as string[], learner: [] as string[], courses: [] as (string | null)[], revoked: [] as (string | null)[], categories: [] as string[], reference: [] as string[] };
    const O = { learner: [] as string[] };
    const X = { learner: [] as string[] };
    const iso = (ms: number) => new Date(ms).toISOString();
    const date = (ms: number) => iso(ms).slice(0, 10);

    for (let i = 0; i < learners; i++) {
      const id = uuidFrom(rand);
      L.id.push(id);
      L.name.push(`Bench Learner ${i}`);
      L.email.push(`bench-${i}@example.test`);
      L.locale.push(rand() < 0.8 ? 'nl' : 'en');
      const r = rand();
      E.learner.push(id);
      E.number.push(`B${i}`);
      E.started.push(date(now - (r < 0.97 ? 400 : -30) * DAY));
      E.ended.push(r < 0.05 ? date(now - 20 * DAY) : null); // 5% have left
      const courses = [...courseIds].sort(() => rand() - 0.5).slice(0, 3);
      for (const course of courses) {
        const eid = uuidFrom(rand);
        const status = pick(['ENROLLED', 'IN_PROGRESS', 'IN_PROGRESS', 'COMPLETED', 'COMPLETED', 'WITHDRAWN']);
        const enrolled = now - Math.floor(rand() * 300 + 30) * DAY;
        const started = status === 'ENROLLED' ? null : enrolled + 2 * DAY;
        N.id.push(eid);
        N.learner.push(id);
        N.course.push(course);
        N.sponsor.push(rand() < 0.7 ? BENCH.employerId : null);
        N.by.push(rand() < 0.1 ? BENCH.brokerId : BENCH.providerId);
        N.status.push(status);
        N.enrolled.push(iso(enrolled));
        N.started.push(started ? iso(started) : null);
        N.completed.push(status === 'COMPLETED' ? iso(enrolled + 25 * DAY) : null);
        N.progress.push(status === 'COMPLETED' ? 100 : status === 'ENROLLED' ? 0 : Math.floor(rand() * 99));
        N.minutes.push(started ? Math.floor(rand() * 1200) : 0);
        N.activity.push(started ? iso(now - Math.floor(rand() * 20) * DAY) : null);
        if (started) {
          for (let k = 0; k < 1 + Math.floor(rand() * 2); k++) {
            const score = Math.floor(rand() * 100);
            R.enrolment.push(eid);
            R.at.push(iso(started + (5 + k) * DAY));
            R.score.push(score);
            R.passed.push(score >= 55);
          }
        }
        if (status === 'COMPLETED') {
          C.enrolment.push(eid);
          C.number.push(`BC-${seedNumber}-${N.id.length}`);
          C.issued.push(iso(enrolled + 25 * DAY));
          C.expires.push(iso(enrolled + 760 * DAY));
          C.points.push(rand() < 0.5 ? 2 : null);
        }
      }
      const p = rand();
      if (p < 0.05) {
        A.id.push(uuidFrom(rand));
        A.basis.push('STUDY_CONTRACT');
        A.learner.push(id);
        A.courses.push(`{${courses[0]}}`);
        A.revoked.push(null);
        A.categories.push(CATEGORIES_ALL);
        A.reference.push(`SO-${i}`);
      } else if (p < 0.15) {
        A.id.push(uuidFrom(rand));
        A.basis.push('CONSENT');
        A.learner.push(id);
        A.courses.push(null);
        A.revoked.push(p < 0.08 ? iso(now - 3 * DAY) : null); // some withdrawn
        A.categories.push('{PROGRESS,TIME_SPENT,ASSESSMENT_RESULTS,ACCREDITATION}');
        A.reference.push('consent-text:bench');
      }
      if (rand() < 0.03) O.learner.push(id);
      if (rand() < 0.01) X.learner.push(id);
    }
    await insert(c, `INSERT INTO learners (id, name, email, locale) SELECT * FROM $UNNEST`, [L.id, L.name, L.email, L.locale], ['uuid', 'text', 'text', 'locale']);
    await insert(c, `INSERT INTO employments (learner_id, employer_id, employee_number, started_on, ended_on) SELECT l, '${BENCH.employerId}', n, s, e FROM $UNNEST AS x(l, n, s, e)`, [E.learner, E.number, E.started, E.ended], ['uuid', 'text', 'date', 'date']);
    await insert(
      c,
      `INSERT INTO enrolments (id, learner_id, course_id, sponsor_employer_id, enrolled_by_id, status, enrolled_at, started_at, completed_at, progress_percent, time_spent_minutes, last_activity_at) SELECT * FROM $UNNEST`,
      [N.id, N.learner, N.course, N.sponsor, N.by, N.status, N.enrolled, N.started, N.completed, N.progress, N.minutes, N.activity],
      ['uuid', 'uuid', 'uuid', 'uuid', 'uuid', 'enrolment_status', 'timestamptz', 'timestamptz', 'timestamptz', 'smallint', 'integer', 'timestamptz'],
    );
    await insert(c, `INSERT INTO assessment_results (enrolment_id, assessment_name, attempted_at, score, max_score, passed) SELECT e, 'Eindtoets', a, s, 100, p FROM $UNNEST AS x(e, a, s, p)`, [R.enrolment, R.at, R.score, R.passed], ['uuid', 'timestamptz', 'numeric', 'boolean']);
    await insert(c, `INSERT INTO certificates (enrolment_id, number, issued_at, expires_at, accreditation_points) SELECT * FROM $UNNEST`, [C.enrolment, C.number, C.issued, C.expires, C.points], ['uuid', 'text', 'timestamptz', 'timestamptz', 'numeric']);
    // employee-wide agreements of the employer
    await c.query(
      `INSERT INTO sharing_agreements (agreement_id, version, recipient_id, basis, categories, valid_from, reference, created_by)
       VALUES (gen_random_uuid(), 1, $1, 'PROCESSOR', '{ENROLMENT_STATUS,PROGRESS,TIME_SPENT,COMPLETION,ASSESSMENT_RESULTS,CERTIFICATES}', now() - interval '1 year', 'VO-bench', 'bench'),
              (gen_random_uuid(), 1, $1, 'LEGITIMATE_INTEREST', '{ENROLMENT_STATUS,COMPLETION,CERTIFICATES}', now() - interval '1 year', 'BA-bench', 'bench')`,
      [BENCH.employerId],
    );
    await insert(
      c,
      `INSERT INTO sharing_agreements (agreement_id, version, recipient_id, basis, learner_id, course_ids, revoked_at, categories, reference, valid_from, created_by)
       SELECT a, 1, '${BENCH.employerId}', b::sharing_basis, l, cs::uuid[], r, cat::disclosure_category[], ref, now() - interval '200 days', 'bench' FROM $UNNEST AS x(a, b, l, cs, r, cat, ref)`,
      [A.id, A.basis, A.learner, A.courses, A.revoked, A.categories, A.reference],
      ['uuid', 'text', 'uuid', 'text', 'timestamptz', 'text', 'text'],
    );
    const [li] = (await c.query(`SELECT agreement_id FROM sharing_agreements WHERE basis = 'LEGITIMATE_INTEREST' AND recipient_id = $1`, [BENCH.employerId])).rows as { agreement_id: string }[];
    await insert(c, `INSERT INTO objections (learner_id, recipient_id, agreement_id) SELECT l, '${BENCH.employerId}', '${li.agreement_id}' FROM $UNNEST AS x(l)`, [O.learner], ['uuid']);
    await insert(c, `INSERT INTO restrictions (learner_id) SELECT l FROM $UNNEST AS x(l)`, [X.learner], ['uuid']);
    await c.query('COMMIT');
    // VACUUM as well as ANALYZE: otherwise autovacuum's insert threshold fires on the freshly
    // loaded tables a minute or two later — in the middle of the load phases, where it doubled
    // PostgreSQL's CPU per page at 100,000 learners (docs/benchmarks.md, "Round 3, ninth session").
    await c.query('VACUUM (ANALYZE)');
    log(`seeded ${learners} learners, ${N.id.length} enrolments, ${R.enrolment.length} results, ${C.enrolment.length} certificates, ${A.id.length + 2} agreements, ${O.learner.length} objections, ${X.learner.length} restrictions (seed ${seedNumber})`);
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    await c.end();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { learners: { type: 'string', default: '10000' }, seed: { type: 'string', default: '42' } } });
  const learners = Number(values.learners);
  const seedNumber = Number(values.seed);
  if (!Number.isInteger(learners) || learners < 1 || learners > 1_000_000) throw new Error('--learners must be 1..1000000');
  const server = await benchServer();
  try {
    const started = Date.now();
    await recreateDatabase(server.url('postgres'), BENCH_DB);
    await migrate(server.url(BENCH_DB));
    await seed(server.url(BENCH_DB), learners, seedNumber);
    console.log(`bench database ${BENCH_DB} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await server.stop();
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
