import { DemoSeedService } from '../../src/seed/demo-seed.service';
import { DEMO } from '../../src/seed/demo-ids';
import { createTestApp, type TestApp } from '../utils/test-app';

describe('operations', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('health: liveness and readiness (database included), without a token', async () => {
    expect((await t.http().get('/health/live')).body).toEqual({ status: 'ok' });
    const ready = await t.http().get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.details.database.status).toBe('up');
  });

  it('echoes a well-formed X-Request-Id and generates one otherwise', async () => {
    const given = await t.http().get('/health/live').set('x-request-id', 'gateway-req-12345');
    expect(given.headers['x-request-id']).toBe('gateway-req-12345');
    const generated = await t.http().get('/health/live').set('x-request-id', 'bad id with spaces');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('unexpected errors are opaque: no stack, no SQL, no internals', async () => {
    const res = await t.gql(undefined, `{ __typename nope }`);
    expect(res.errors?.[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(JSON.stringify(res.body)).not.toMatch(/stacktrace|at Object|node_modules/);
  });

  it('the demo seed runs once, and its printed tokens and client credentials work', async () => {
    const seed = t.app.get(DemoSeedService);
    expect(await seed.seedOnce()).toBe(true);
    expect(await seed.seedOnce()).toBe(false);
    const learners = (await t.db.query(`SELECT count(*)::int AS n FROM learners`))[0].n;
    expect(learners).toBe(20);
    const tokens = seed.demoTokens();
    const staff = await t.gql(tokens.staff, `{ learners(first: 500) { nodes { id } } enrolments(first: 500) { nodes { id assessmentResults { id } certificates { id } } } }`);
    expect(staff.data.learners.nodes).toHaveLength(20);
    const enrolments = staff.data.enrolments.nodes as { assessmentResults: unknown[]; certificates: unknown[] }[];
    expect(enrolments.some((e) => e.assessmentResults.length > 0)).toBe(true);
    expect(enrolments.some((e) => e.certificates.length > 0)).toBe(true);
    expect((await t.gql(tokens.hrPortal, `{ viewer { kind organisationId } }`)).data.viewer).toEqual({ kind: 'EMPLOYER_CLIENT', organisationId: DEMO.employerId });
    expect((await t.gql(tokens.broker, `{ brokerMandates { employerId permissions } }`)).data.brokerMandates).toEqual([
      { employerId: DEMO.employerId, permissions: ['ENROL', 'VIEW_RESULTS'] },
    ]);
    expect((await t.gql(tokens.learner, `{ me { id } }`)).data.me.id).toBe(DEMO.learnerId(1));
    const token = await t.http().post('/oauth/token').send({ grant_type: 'client_credentials', client_id: DEMO.hrPortal.clientId, client_secret: DEMO.hrPortal.secret });
    expect(token.status).toBe(200);
  });

  it('in production, introspection and field suggestions are off', async () => {
    const prod = await createTestApp({ NODE_ENV: 'production' });
    try {
      const introspection = await prod.gql(undefined, `{ __schema { types { name } } }`);
      expect(introspection.data?.__schema).toBeUndefined();
      expect(introspection.errors?.[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      const typo = await prod.gql(undefined, `{ learnrs { nodes { id } } }`);
      expect(typo.errors?.[0].message).not.toMatch(/Did you mean/);
      // Development keeps both (the default of this suite's app).
      expect((await t.gql(undefined, `{ learnrs { nodes { id } } }`)).errors?.[0].message).toMatch(/Did you mean/);
    } finally {
      await prod.close();
    }
  });
});
