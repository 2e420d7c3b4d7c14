import { world } from '../factories/world';
import { createTestApp, type TestApp } from '../utils/test-app';

/**
 * The token endpoint locks out repeated failures per client id and per address, counted in the
 * database (docs/operations.md, "The token endpoint"). Time is moved through the stored expiry,
 * never by waiting.
 */
describe('token endpoint lockout', () => {
  let t: TestApp;
  let w: ReturnType<typeof world>;

  beforeAll(async () => {
    t = await createTestApp({ TOKEN_MAX_FAILURES: '3', TOKEN_MAX_FAILURES_PER_ADDRESS: '6', TOKEN_LOCKOUT_SECONDS: '600' });
    w = world(t.db);
  });
  afterAll(() => t.close());

  const attempt = (client_id: string, client_secret: string) =>
    t.http().post('/oauth/token').type('form').send({ grant_type: 'client_credentials', client_id, client_secret });

  it('after three wrong secrets a client id is locked from that address, right secret or not; other clients are not; the lock ends', async () => {
    const employer = await w.organisation('EMPLOYER');
    const { client, secret } = await w.apiClient(employer);
    const other = await w.apiClient(employer);
    for (let i = 0; i < 3; i++) expect((await attempt(client.clientId, 'wrong')).status).toBe(401);
    const locked = await attempt(client.clientId, secret);
    expect(locked.status).toBe(429);
    expect(locked.body.error).toBe('invalid_request');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(500);
    expect((await attempt(other.client.clientId, other.secret)).status).toBe(200);
    // The lockout ends (moved through the database, not by waiting), and a success clears the count.
    await t.db.query(`UPDATE token_failures SET expire = 0 WHERE key LIKE $1 OR key LIKE $2`, [`client:${client.clientId}|%`, `pause:client|${client.clientId}|%`]);
    expect((await attempt(client.clientId, secret)).status).toBe(200);
    expect(await t.db.query(`SELECT 1 FROM token_failures WHERE key LIKE $1`, [`client:${client.clientId}|%`])).toEqual([]);
  });

  it('an address spraying client ids is locked after six failures, for every client id', async () => {
    await t.db.query(`DELETE FROM token_failures`);
    for (let i = 0; i < 6; i++) expect((await attempt(`rsa_spray_${i}`, 'guess')).status).toBe(401);
    const employer = await w.organisation('EMPLOYER');
    const { client, secret } = await w.apiClient(employer);
    expect((await attempt(client.clientId, secret)).status).toBe(429);
  });

  it('expired counts are cleared by the limits housekeeping', async () => {
    await attempt('rsa_someone', 'guess');
    await t.db.query(`UPDATE token_failures SET expire = 1`);
    const { LimitsHousekeeping } = await import('../../src/api/limits-housekeeping');
    const done = await t.app.get(LimitsHousekeeping).run();
    expect(done.tokenFailures).toBeGreaterThan(0);
    expect(await t.db.query(`SELECT 1 FROM token_failures`)).toEqual([]);
  });
});
