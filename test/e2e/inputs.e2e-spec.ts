import { staffClaims, world } from '../factories/world';
import { createTestApp, type TestApp } from '../utils/test-app';

/**
 * Inputs the fuzzing of the API found ending in a 500 or quietly stored wrong, each now a clear
 * BAD_USER_INPUT naming the field (docs/architecture.md, "Inputs"), with nothing written.
 */
describe('inputs', () => {
  let t: TestApp;
  let w: ReturnType<typeof world>;
  let staff: string;

  beforeAll(async () => {
    t = await createTestApp();
    w = world(t.db);
    staff = t.token(staffClaims((await w.organisation('PROVIDER')).id));
  });
  afterAll(() => t.close());

  const counts = async () =>
    (await t.db.query(`SELECT (SELECT count(*) FROM learners)::int AS learners, (SELECT count(*) FROM enrolments)::int AS enrolments, (SELECT count(*) FROM assessment_results)::int AS results`))[0];

  const CREATE_LEARNER = `mutation($i: CreateLearnerInput!) { createLearner(input: $i) { id } }`;

  it.each([
    ['a NUL byte', { name: 'Ann\u0000', email: 'ann.nul@example.test' }, 'input.name', /control characters/],
    ['another control character', { name: 'Ann', email: 'ann.bell\u0007@example.test' }, 'input.email', /control characters/],
    ['a blank name', { name: '   ', email: 'ann.blank@example.test' }, 'input.name', /blank/],
    ['half a surrogate pair', { name: 'Ann', email: 'ann\ud800@example.test' }, 'input.email', /valid text/],
  ])('text with %s is refused, naming the field', async (_what, input, field, message) => {
    const before = await counts();
    const res = await t.gql(staff, CREATE_LEARNER, { i: { ...input } });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(res.errors?.[0].message).toMatch(message);
    expect(await counts()).toEqual(before);
  });

  it.each([
    ['a date that does not exist', '2026-02-30T10:00:00Z', /not a date that exists/],
    ['year 0', '0000-01-01T00:00:00Z', /years 1900 to 9999/],
    ['a year past PostgreSQL', '+275760-01-01T00:00:00Z', /ISO 8601/],
    ['an epoch number', 1_790_000_000_000, /not a number/],
    ['no time zone', '2026-12-03T09:54:33', /time zone/],
  ])('a DateTime that is %s is refused', async (_what, enrolledAt, message) => {
    const learner = await w.learner();
    const course = await w.course();
    const before = await counts();
    const res = await t.gql(staff, `mutation($i: CreateEnrolmentInput!) { createEnrolment(input: $i) { id } }`, { i: { learnerId: learner.id, courseId: course.id, enrolledAt } });
    expect(res.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0].message).toMatch(/enrolledAt/);
    expect(res.errors?.[0].message).toMatch(message);
    expect(await counts()).toEqual(before);
  });

  it('a score past its column (numeric(8,2)) is refused, not an overflow', async () => {
    const learner = await w.learner();
    const enrolment = await w.enrolment(learner.id, (await w.course()).id, (await w.organisation('PROVIDER')).id);
    const before = await counts();
    const res = await t.gql(staff, `mutation($i: RecordAssessmentResultInput!) { recordAssessmentResult(input: $i) { id } }`, {
      i: { enrolmentId: enrolment.id, assessmentName: 'Exam', attemptedAt: '2026-11-01T10:00:00Z', score: 5, maxScore: 10_000_000, passed: true },
    });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.maxScore' });
    expect(await counts()).toEqual(before);
  });

  it.each([[1e-7], [0.001], [12.345]])('a score with more than two decimals (%p) is refused, not a 500', async (score) => {
    const enrolment = await w.enrolment((await w.learner()).id, (await w.course()).id, (await w.organisation('PROVIDER')).id);
    const res = await t.gql(staff, `mutation($i: RecordAssessmentResultInput!) { recordAssessmentResult(input: $i) { id } }`, {
      i: { enrolmentId: enrolment.id, assessmentName: 'Exam', attemptedAt: '2026-11-01T10:00:00Z', score, maxScore: 10, passed: true },
    });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.score' });
  });

  it('an id that is not a UUID answers like an unknown one, or names the argument', async () => {
    const revoke = await t.gql(staff, `mutation { revokeApiClient(id: "not-a-uuid") { id } }`);
    expect(revoke.errors?.[0].extensions.code).toBe('NOT_FOUND');
    const list = await t.gql(staff, `{ apiClients(organisationId: "x") { id } }`);
    expect(list.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'organisationId' });
  });
});
