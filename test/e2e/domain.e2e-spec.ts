import { createTestApp, type TestApp } from '../utils/test-app';
import { staffClaims, world } from '../factories/world';

describe('domain model through GraphQL (provider staff)', () => {
  let t: TestApp;
  let staff: string;
  let w: ReturnType<typeof world>;

  beforeAll(async () => {
    t = await createTestApp();
    w = world(t.db);
    const provider = await w.organisation('PROVIDER');
    staff = t.token(staffClaims(provider.id));
  });
  afterAll(() => t.close());

  it('lists learners with their employments', async () => {
    const employer = await w.organisation('EMPLOYER');
    const learner = await w.learner();
    await w.employment(learner.id, employer.id, { employeeNumber: 'X-1' });
    const res = await t.gql(staff, `query($e: ID) { learners(employerId: $e) { nodes { id employments { employeeNumber } } } }`, { e: employer.id });
    expect(res.errors).toBeUndefined();
    expect(res.data.learners.nodes).toEqual([{ id: learner.id, employments: [{ employeeNumber: 'X-1' }] }]);
  });
});
