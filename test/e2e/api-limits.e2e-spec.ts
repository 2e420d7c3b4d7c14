import { staffClaims, world } from '../factories/world';
import { countQueries } from '../utils/query-counter';
import { createTestApp, type TestApp } from '../utils/test-app';

const PAGE = `learners(first: 500) { nodes { id name enrolments { id status progressPercent completed assessmentResults { score } withheld { field reason } } } }`;

/**
 * API limits (docs/api-limits.md), tried as an attacker would, on a small world: a document is
 * refused by its size while it is parsed, by depth and aliases while it is validated, by its cost
 * before it runs — so no SQL runs for it — and a client's budget is shared by every API process on
 * the database and refills over time.
 */
describe('API limits', () => {
  let t: TestApp;
  let staff: string;
  let hr: string;
  let clientId: string;

  beforeAll(async () => {
    // A small maximum and budget and a slow refill, so that two pages exhaust the budget.
    t = await createTestApp({ GRAPHQL_MAX_COST: '100000', GRAPHQL_COST_BUDGET: '100000', GRAPHQL_COST_REFILL_PER_SECOND: '1000' });
    const w = world(t.db);
    staff = t.token(staffClaims((await w.organisation('PROVIDER')).id));
    const employer = await w.organisation('EMPLOYER');
    const learner = await w.learner();
    await w.employment(learner.id, employer.id);
    await w.enrolment(learner.id, (await w.course()).id, employer.id, { sponsorEmployerId: employer.id });
    await w.agreement({ recipientId: employer.id, basis: 'PROCESSOR', categories: ['PROGRESS'] });
    const client = await w.apiClient(employer);
    hr = t.token(client.claims);
    clientId = client.client.clientId;
  });
  afterAll(() => t.close());

  it('reports the cost of every response, and the budget left', async () => {
    const res = await t.gql(staff, `{ viewer { kind } }`);
    expect(res.body.extensions.cost).toEqual({ requested: 2, maximum: 100000, remaining: expect.any(Number), refillPerSecond: 1000 });
  });

  it('refuses fourteen aliases of the page by cost, before any SQL runs', async () => {
    const doc = `{ ${Array.from({ length: 14 }, (_, i) => `a${i}: ${PAGE}`).join(' ')} }`;
    const { result, queries } = await countQueries(t.app, () => t.http().post('/graphql').set('authorization', `Bearer ${hr}`).send({ query: doc }));
    expect(result.status).toBe(400);
    expect(result.body.errors[0].extensions).toMatchObject({ code: 'QUERY_TOO_COSTLY', cost: { maximum: 100000 } });
    expect(result.body.errors[0].message).toMatch(/maximum of 100000/);
    expect(result.body.data).toBeUndefined();
    // The token check is the only statement (and the budget is not charged for a refused operation).
    expect(queries.filter((q) => !/api_clients/.test(q))).toEqual([]);
    expect(await t.db.query(`SELECT ledger.n FROM (SELECT count(*)::int AS n FROM disclosures) ledger`)).toEqual([{ n: 0 }]);
  });

  it('a negative first cannot make an operation cheap, and variables of the wrong type are a 400, not a 500', async () => {
    const negative = await t.gql(staff, `{ learners(first: -2000000000) { nodes { id } } }`);
    expect(negative.body.extensions.cost.requested).toBeGreaterThan(0);
    const wrong = await t.http().post('/graphql').set('authorization', `Bearer ${staff}`).send({ query: `query($f: Int) { learners(first: $f) { nodes { id } } }`, variables: { f: 'x' } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('refuses too many aliases and an anonymous megabyte document before they run', async () => {
    const aliases = await t.gql(staff, `{ ${Array.from({ length: 16 }, (_, i) => `v${i}: viewer { kind }`).join(' ')} }`);
    expect(aliases.errors?.[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const megabyte = `{ ${'__typename '.repeat(90_000)} }`;
    const anonymous = await t.http().post('/graphql').send({ query: megabyte });
    expect(anonymous.status).toBe(400);
    expect(anonymous.body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(anonymous.body.errors[0].message).toMatch(/more that 5000 tokens/);

  });

  it('a client over budget is THROTTLED with Retry-After (HTTP 429), and the budget refills', async () => {
    const page = () => t.http().post('/graphql').set('authorization', `Bearer ${hr}`).send({ query: `{ ${PAGE} }` });
    const first = await page();
    expect(first.status).toBe(200);
    const cost = first.body.extensions.cost.requested as number;
    expect(cost).toBeGreaterThan(30000);
    const second = await page();
    expect(second.status).toBe(429);
    expect(second.body.errors[0].extensions).toMatchObject({ code: 'THROTTLED', retryAfterSeconds: expect.any(Number) });
    expect(Number(second.headers['retry-after'])).toBe(second.body.errors[0].extensions.retryAfterSeconds);
    expect(second.body.data).toBeUndefined();
    // Refill, through the database clock: move the bucket's last touch back by the wait it named.
    await t.db.query(`UPDATE api_cost_budgets SET updated_at = updated_at - make_interval(secs => $2) WHERE client_key = $1`, [`client:${clientId}`, Number(second.headers['retry-after'])]);
    const third = await page();
    expect(third.status).toBe(200);
  });

  it('the budget holds across API processes on one database', async () => {
    const second = await createTestAppOn(t);
    try {
      await t.db.query(`DELETE FROM api_cost_budgets`);
      const page = (app: TestApp) => app.http().post('/graphql').set('authorization', `Bearer ${hr}`).send({ query: `{ ${PAGE} }` });
      expect((await page(t)).status).toBe(200);
      const fromTheOther = await page(second);
      expect(fromTheOther.status).toBe(429);
    } finally {
      await second.app.close();
    }
  });

  // Last: another app in this Jest process takes over passport's one global 'jwt' strategy.
  it('refuses too deep a document (a tighter limit: the schema nests no deeper than the default)', async () => {
    const shallow = await createTestApp({ GRAPHQL_MAX_DEPTH: '3' });
    try {
      const deep = await shallow.gql(shallow.token(staffClaims((await world(shallow.db).organisation('PROVIDER')).id)), `{ learners { nodes { enrolments { id } } } }`);
      expect(deep.errors?.[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(deep.errors?.[0].message).toMatch(/depth/i);
    } finally {
      await shallow.close();
    }
  });
});

/** A second API process (an app of its own, its own pools) on the same database as `t`. */
async function createTestAppOn(t: TestApp): Promise<TestApp> {
  const { createApp } = await import('../../src/app.factory');
  const pino = (await import('pino')).default;
  const app = await createApp({ ...t.config, databaseUrl: t.config.databaseUrl! }, pino({ level: 'silent' }));
  const request = (await import('supertest')).default;
  const server = app.getHttpServer();
  return { ...t, app, http: () => request(server) };
}
