import { staffClaims, world } from '../factories/world';
import { countQueries } from '../utils/query-counter';
import { createTestApp, type TestApp } from '../utils/test-app';
import { ticker } from '../utils/turn-ticker';

const PAGE = `query($first: Int) { learners(first: $first) { nodes { id name employeeNumber enrolments { id status enrolledAt startedAt progressPercent lastActivityAt timeSpentMinutes completedAt completed course { code }
  assessmentResults { score passed } certificates { number accreditationPoints withheld { field reason } } accreditationPointsEarned withheld { field reason } } withheld { field } } pageInfo { endCursor hasNextPage } } }`;

/**
 * Decisions are set-based (docs/sharing-rules.md rule 15): a page of 10 and a page of 500 learners, with every
 * gated field, make the same number of database queries.
 */
describe('a page costs a constant number of queries, whatever its size', () => {
  let t: TestApp;
  let employerToken: string;
  let brokerToken: string;
  let staffToken: string;

  beforeAll(async () => {
    t = await createTestApp();
    const w = world(t.db);
    const provider = await w.organisation('PROVIDER');
    const employer = await w.organisation('EMPLOYER');
    const broker = await w.organisation('BROKER');
    const courses = [await w.course(), await w.course(), await w.course()];
    // 600 employees with 3 enrolments each, written in bulk
    await t.db.query(
      `WITH l AS (
         INSERT INTO learners (name, email) SELECT 'Learner ' || i, 'qc' || i || '@example.test' FROM generate_series(1, 600) i RETURNING id
       ), e AS (
         INSERT INTO employments (learner_id, employer_id, employee_number, started_on) SELECT id, $1, 'N' || row_number() OVER (), DATE '2024-01-01' FROM l RETURNING learner_id
       )
       INSERT INTO enrolments (learner_id, course_id, sponsor_employer_id, enrolled_by_id, status, enrolled_at, progress_percent)
       SELECT e.learner_id, c, CASE WHEN random() < 0.7 THEN $1::uuid END, $2, 'IN_PROGRESS', now(), 50 FROM e CROSS JOIN unnest($3::uuid[]) c`,
      [employer.id, broker.id, courses.map((c) => c.id)],
    );
    await t.db.query(`INSERT INTO assessment_results (enrolment_id, assessment_name, attempted_at, score, max_score, passed) SELECT id, 'T', now(), 70, 100, true FROM enrolments`);
    await t.db.query(`INSERT INTO certificates (enrolment_id, number, issued_at, accreditation_points) SELECT id, 'C-' || id, now(), 2 FROM enrolments WHERE random() < 0.5`);
    await w.agreement({ recipientId: employer.id, basis: 'PROCESSOR', categories: ['ENROLMENT_STATUS', 'PROGRESS', 'TIME_SPENT', 'ASSESSMENT_RESULTS'] });
    await w.agreement({ recipientId: employer.id, basis: 'LEGITIMATE_INTEREST', categories: ['COMPLETION', 'CERTIFICATES'] });
    await t.db.query(
      `INSERT INTO sharing_agreements (agreement_id, version, recipient_id, basis, categories, learner_id, valid_from, reference, created_by)
       SELECT gen_random_uuid(), 1, $1, 'CONSENT', '{ACCREDITATION}', id, now() - interval '1 day', 'consent-text:v1', 'test' FROM learners WHERE random() < 0.3`,
      [employer.id],
    );
    await t.db.query(`INSERT INTO restrictions (learner_id) SELECT id FROM learners WHERE random() < 0.05`);
    await w.mandate(broker.id, employer.id, { categories: ['PROGRESS', 'COMPLETION'] });
    employerToken = t.token((await w.apiClient(employer)).claims);
    brokerToken = t.token((await w.apiClient(broker)).claims);
    staffToken = t.token(staffClaims(provider.id));
  });
  afterAll(() => t.close());

  async function measure(token: string, first: number) {
    const { result, queries } = await countQueries(t.app, () => t.gql(token, PAGE, { first }));
    expect(result.errors).toBeUndefined();
    expect(result.data.learners.nodes.length).toBeGreaterThan(first / 2);
    return queries.length;
  }

  it.each([
    ['employer', () => employerToken],
    ['broker', () => brokerToken],
    ['provider staff', () => staffToken],
  ])('%s: 10 learners and 500 learners, same number of queries', async (_who, token) => {
    const small = await measure(token(), 10);
    const large = await measure(token(), 500);
    expect(large).toBe(small);
    // A small constant, ledger and outbox included (docs/benchmarks.md: round trips per page).
    expect(large).toBeLessThanOrEqual(8);
  });

  it('a 500-learner answer leaves whole, with its length, as made by the answer-in-parts path', async () => {
    for (const token of [employerToken, staffToken]) {
      const res = await t.http().post('/graphql').set('authorization', `Bearer ${token}`).send({ query: PAGE, variables: { first: 500 } });
      expect(res.status).toBe(200);
      // More than one part (api/answer-in-parts.ts, 128 k characters a part), and no trailing
      // newline: Apollo's own stringifyResult would have appended one.
      expect(res.text.length).toBeGreaterThan(2 * 128 * 1024);
      expect(res.text.endsWith('}')).toBe(true);
      expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.text));
      const body = JSON.parse(res.text) as { data: { learners: { nodes: unknown[] } } };
      expect(body.data.learners.nodes.length).toBeGreaterThan(250);
      expect(JSON.stringify(body)).toBe(res.text);
    }
  });

  it('provider staff: what the page selects below the learners is loaded ahead, one statement per kind, and the learners reach GraphQL 25 per turn', async () => {
    const { LearnerService } = await import('../../src/learners/learner.service');
    const { StaffPage } = await import('../../src/learners/staff-page');
    const { RequestLoaders } = await import('../../src/common/graphql/request-loaders');
    const { CERTIFICATES_BY_ENROLMENT, COURSE_BY_ID, ENROLMENTS_BY_LEARNER, RESULTS_BY_ENROLMENT } = await import('../../src/enrolments/enrolment-loaders');
    const page = await t.app.get(LearnerService).list({ first: 100 });
    const loaders = new RequestLoaders();
    const selected = new Set(['enrolments', 'assessmentResults', 'certificates', 'course']);
    const { result: ahead, queries } = await countQueries(t.app, () => t.app.get(StaffPage).ahead(page, selected, loaders));
    expect(queries).toHaveLength(4);

    // Every value the resolvers will ask for is there already: answered synchronously, no query.
    const never = () => Promise.reject(new Error('not loaded ahead'));
    for (const learner of page.nodes) {
      const enrolments = loaders.load(ENROLMENTS_BY_LEARNER, learner.id, never);
      expect(Array.isArray(enrolments)).toBe(true);
      for (const e of enrolments as { id: string; courseId: string }[]) {
        expect(Array.isArray(loaders.load(RESULTS_BY_ENROLMENT, e.id, never))).toBe(true);
        expect(Array.isArray(loaders.load(CERTIFICATES_BY_ENROLMENT, e.id, never))).toBe(true);
        expect(loaders.load(COURSE_BY_ID, e.courseId, never)).toMatchObject({ id: e.courseId });
      }
    }

    // The learners arrive in order, 25 per turn of the event loop.
    const turns = ticker();
    const seen: number[] = [];
    for (const node of ahead.nodes) void Promise.resolve(node).then(() => seen.push(turns.now()));
    const nodes = await Promise.all(ahead.nodes.map((n) => Promise.resolve(n)));
    turns.stop();
    expect(nodes.map((n) => n.id)).toEqual(page.nodes.map((n) => n.id));
    expect(new Set(seen).size).toBe(4);
    for (let i = 0; i < seen.length; i += 25) expect(new Set(seen.slice(i, i + 25)).size).toBe(1);
    expect(await Promise.all(ahead.edges.map((e) => Promise.resolve(e).then((edge) => edge.node)))).toEqual(nodes);
  });
});
