import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { HeavyOperations } from '../../src/api/heavy-operations';
import { DemoSeedService, type DemoTokens } from '../../src/seed/demo-seed.service';
import { createTestApp, type TestApp } from '../utils/test-app';

/**
 * Heavy operations per process (docs/api-limits.md, "Heavy operations"): one turn here, one
 * operation may wait, the next is refused with 503; light operations never wait; the turn comes
 * back after an answer, errors included. The test holds the turn itself, so nothing depends on
 * how long a page takes.
 */
describe('heavy operations', () => {
  let t: TestApp;
  let tokens: DemoTokens;
  let heavy: HeavyOperations;
  const PAGE = `query Page($after: String) { learners(first: 100, after: $after) { nodes { id enrolments { progressPercent } } } }`;

  beforeAll(async () => {
    t = await createTestApp({ GRAPHQL_HEAVY_COST: '500', GRAPHQL_HEAVY_CONCURRENCY: '1', GRAPHQL_HEAVY_QUEUE: '1' });
    await t.app.get(DemoSeedService).seedOnce();
    tokens = t.app.get(DemoSeedService).demoTokens();
    heavy = t.app.get(HeavyOperations);
  });
  afterAll(() => t.close());

  function post(query: string, variables: Record<string, unknown> = {}, requestId = randomUUID()) {
    return request(t.app.getHttpServer()).post('/graphql').set('authorization', `Bearer ${tokens.hrPortal}`).set('x-request-id', requestId).send({ query, variables });
  }

  /** Until `n` operations wait for a turn (each request's hooks run on this event loop). */
  async function untilWaiting(n: number): Promise<void> {
    for (let i = 0; i < 10_000 && heavy.waiting() < n; i++) await new Promise((r) => setImmediate(r));
    expect(heavy.waiting()).toBe(n);
  }

  it('one runs, one waits, the next is refused with 503; a light operation passes them all', async () => {
    expect(await heavy.acquire()).toBe(true); // the one turn, held by the test
    const waiting = post(PAGE).then((r) => r);
    await untilWaiting(1);

    const refusedId = randomUUID();
    const refused = await post(PAGE, {}, refusedId);
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.body.errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
    expect(refused.body.data).toBeUndefined();
    expect((await t.admin.query(`SELECT count(*)::int AS n FROM disclosures WHERE request_id = $1`, [refusedId]))[0].n).toBe(0);

    const light = await post(`{ viewer { kind } }`);
    expect(light.body.data.viewer.kind).toBe('EMPLOYER_CLIENT');

    heavy.release();
    const answered = await waiting;
    expect(answered.status).toBe(200);
    expect(answered.body.data.learners.nodes.length).toBeGreaterThan(0);
    expect(heavy.waiting()).toBe(0);
  });

  it('gives the turn back after an error, and after every answer', async () => {
    const bad = await post(PAGE, { after: 'not-a-cursor' });
    expect(bad.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    for (let i = 0; i < 3; i++) expect((await post(PAGE)).body.data.learners.nodes.length).toBeGreaterThan(0);
    // Free again: a turn is had at once.
    let had = false;
    void heavy.acquire().then(() => (had = true));
    await new Promise((r) => setImmediate(r));
    expect(had).toBe(true);
    heavy.release();
  });
});
