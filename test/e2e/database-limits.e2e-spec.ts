import { staffClaims, world } from '../factories/world';
import { createTestApp, type TestApp } from '../utils/test-app';

/**
 * The database cannot hang the API (docs/operations.md, "Database limits"): every connection of
 * the API carries statement, lock and idle-in-transaction timeouts, so a lock held on the ledger
 * makes a gated page fail closed (503, no data) within the lock timeout instead of waiting, while
 * requests that do not need that lock go on being answered.
 */
describe('database limits', () => {
  let t: TestApp;
  let w: ReturnType<typeof world>;

  beforeAll(async () => {
    t = await createTestApp({ DB_LOCK_TIMEOUT_MS: '500', DB_STATEMENT_TIMEOUT_MS: '20000' });
    w = world(t.db);
  });
  afterAll(() => t.close());

  it('every API connection carries the configured timeouts', async () => {
    const [row] = await t.db.query(`SELECT current_setting('lock_timeout') AS lock, current_setting('statement_timeout') AS statement, current_setting('idle_in_transaction_session_timeout') AS idle`);
    expect(row).toEqual({ lock: '500ms', statement: '20s', idle: '1min' });
  });

  it('a lock held on the ledger fails a gated page closed within the lock timeout; the token endpoint still answers', async () => {
    const staff = t.token(staffClaims((await w.organisation('PROVIDER')).id));
    const employer = await w.organisation('EMPLOYER');
    const learner = await w.learner();
    await w.employment(learner.id, employer.id);
    await w.enrolment(learner.id, (await w.course()).id, employer.id, { sponsorEmployerId: employer.id, progressPercent: 20 });
    await w.agreement({ recipientId: employer.id, basis: 'PROCESSOR', categories: ['PROGRESS'] });
    const { client, secret, claims } = await w.apiClient(employer);
    const hr = t.token(claims);
    const PAGE = `{ learners { nodes { enrolments { progressPercent } } } }`;

    const holder = t.admin.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    try {
      await holder.query(`LOCK TABLE ledger_batches IN ACCESS EXCLUSIVE MODE`);
      const blocked = await t.http().post('/graphql').set('authorization', `Bearer ${hr}`).send({ query: PAGE });
      expect(blocked.status).toBe(503);
      expect(blocked.body.data).toBeUndefined();
      expect(blocked.body.errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
      const token = await t.http().post('/oauth/token').type('form').send({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: secret });
      expect(token.status).toBe(200);
      const health = await t.http().get('/health/ready');
      expect(health.status).toBe(200);
      expect((await t.gql(staff, `{ learners(first: 1) { nodes { id } } }`)).errors).toBeUndefined();
    } finally {
      await holder.rollbackTransaction();
      await holder.release();
    }
    const after = await t.gql(hr, PAGE);
    expect(after.errors).toBeUndefined();
    expect(after.data.learners.nodes[0].enrolments[0].progressPercent).toBe(20);
  });

  it('gated pages that fill their pool do not starve staff reads, the token endpoint or health (pools of their own)', async () => {
    const small = await createTestApp({ DATABASE_GATED_POOL_SIZE: '2', DATABASE_POOL_SIZE: '3', DB_LOCK_TIMEOUT_MS: '20000' });
    try {
      const sw = world(small.db);
      const employer = await sw.organisation('EMPLOYER');
      const learner = await sw.learner();
      await sw.employment(learner.id, employer.id);
      await sw.enrolment(learner.id, (await sw.course()).id, employer.id, { sponsorEmployerId: employer.id, progressPercent: 20 });
      await sw.agreement({ recipientId: employer.id, basis: 'PROCESSOR', categories: ['PROGRESS'] });
      const { client, secret, claims } = await sw.apiClient(employer);
      const hr = small.token(claims);
      const staff = small.token(staffClaims((await sw.organisation('PROVIDER')).id));
      const holder = small.admin.createQueryRunner();
      await holder.connect();
      await holder.startTransaction();
      let pages: Promise<{ status: number }>[] = [];
      try {
        await holder.query(`LOCK TABLE ledger_batches IN ACCESS EXCLUSIVE MODE`);
        pages = [1, 2, 3].map(() => small.http().post('/graphql').set('authorization', `Bearer ${hr}`).send({ query: `{ learners { nodes { enrolments { progressPercent } } } }` }).then((r) => r));
        // Two pages hold the gated pool's two connections, waiting for the lock, the third waits for
        // a connection (a condition, polled).
        for (let i = 0; i < 200; i++) {
          const [{ n }] = await small.admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`);
          if (n >= 2) break;
          await new Promise((r) => setImmediate(r));
        }
        const token = await small.http().post('/oauth/token').type('form').send({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: secret });
        expect(token.status).toBe(200);
        expect((await small.http().get('/health/ready')).status).toBe(200);
        // Staff and in-process workers use the main pool, which the gated pages cannot reach.
        const read = await small.gql(staff, `{ learners(first: 5) { nodes { id } } }`);
        expect(read.errors).toBeUndefined();
        expect(read.data.learners.nodes.map((n: { id: string }) => n.id)).toContain(learner.id);
      } finally {
        await holder.rollbackTransaction();
        await holder.release();
      }
      expect((await Promise.all(pages)).map((p) => p.status)).toEqual([200, 200, 200]);
    } finally {
      await small.close();
    }
  });
});
