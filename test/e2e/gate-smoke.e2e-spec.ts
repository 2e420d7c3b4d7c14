import { createTestApp, type TestApp } from '../utils/test-app';
import { world } from '../factories/world';

const Q = `query { learners(first: 50) { nodes { id name employeeNumber locale enrolments { id status progressPercent timeSpentMinutes completed assessmentResults { score } certificates { number accreditationPoints withheld { field reason } } accreditationPointsEarned withheld { field reason } } } pageInfo { hasNextPage } } }`;

describe('gate smoke', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('works end to end', async () => {
    const w = world(t.db);
    const provider = await w.organisation('PROVIDER');
    const employer = await w.organisation('EMPLOYER');
    const learner = await w.learner();
    await w.employment(learner.id, employer.id, { employeeNumber: 'E-1' });
    const course = await w.course();
    const e = await w.enrolment(learner.id, course.id, provider.id, { sponsorEmployerId: employer.id, progressPercent: 40, status: 'IN_PROGRESS' });
    await w.result(e.id, { score: 77 });
    await w.certificate(e.id, { accreditationPoints: 3 });
    await w.agreement({ recipientId: employer.id, basis: 'PROCESSOR', categories: ['PROGRESS', 'ASSESSMENT_RESULTS', 'CERTIFICATES'] });
    const token = t.token((await w.apiClient(employer)).claims);
    const res = await t.gql(token, Q);
    console.log(JSON.stringify(res.body, null, 1));
  });
});
