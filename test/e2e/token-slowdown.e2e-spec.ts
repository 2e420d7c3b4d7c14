import { world } from '../factories/world';
import { createTestApp, type TestApp } from '../utils/test-app';

/**
 * Before the lockout, the token endpoint slows repeated failures down: a pause after each failure
 * that doubles, during which attempts are refused unchecked and not counted
 * (docs/operations.md, "The token endpoint"). Pauses end through the stored expiry, never by waiting.
 */
describe('token endpoint slow-down', () => {
  let t: TestApp;
  let w: ReturnType<typeof world>;

  beforeAll(async () => {
    t = await createTestApp({
      TOKEN_MAX_FAILURES: '6',
      TOKEN_SLOWDOWN_AFTER: '2',
      TOKEN_SLOWDOWN_MAX_SECONDS: '4',
      TOKEN_LOCKOUT_SECONDS: '600',
    });
    w = world(t.db);
  });
  afterAll(() => t.close());

  const attempt = (client_id: string, client_secret: string) =>
    t
      .http()
      .post('/oauth/token')
      .type('form')
      .send({ grant_type: 'client_credentials', client_id, client_secret });
  const endPauses = () =>
    t.db.query(`UPDATE token_failures SET expire = 1 WHERE key LIKE 'pause:%'`);
  const failures = async (clientId: string) =>
    Number(
      (
        await t.db.query<{ points: number }[]>(
          `SELECT points FROM token_failures WHERE key LIKE $1`,
          [`client:${clientId}|%`],
        )
      )[0]?.points ?? 0,
    );

  it('pauses 1, 2, 4 s (capped) after the second, third, fourth failure, refuses unchecked meanwhile, then locks out', async () => {
    // The limiter reads the host's clock (Date.now()), here stopped: a pause lasts until the test
    // ends it, however slowly a busy machine gets the next request through (a 1 s pause could
    // otherwise run out before it, and the right secret be checked).
    jest.useFakeTimers({ now: Date.now(), doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'hrtime', 'performance'] });
    try {
      await pausesThenLockout();
    } finally {
      jest.useRealTimers();
    }
  });

  async function pausesThenLockout() {
    const employer = await w.organisation('EMPLOYER');
    const { client, secret } = await w.apiClient(employer);
    expect((await attempt(client.clientId, 'wrong')).status).toBe(401);
    expect((await attempt(client.clientId, 'wrong')).status).toBe(401);
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      // Even the right secret is refused during the pause, and the refusal does not count.
      const paused = await attempt(client.clientId, secret);
      expect(paused.status).toBe(429);
      expect(paused.body).toEqual({
        error: 'invalid_request',
        error_description: expect.stringContaining('slow down'),
      });
      seen.push(paused.headers['retry-after']);
      const before = await failures(client.clientId);
      expect((await attempt(client.clientId, 'wrong')).status).toBe(429);
      expect(await failures(client.clientId)).toBe(before);
      await endPauses();
      expect((await attempt(client.clientId, 'wrong')).status).toBe(401);
    }
    expect(seen).toEqual(['1', '2', '4', '4']);
    // The sixth failure was the last loop's: locked, not paused.
    const locked = await attempt(client.clientId, secret);
    expect(locked.status).toBe(429);
    expect(locked.body.error_description).toContain('too many failed attempts');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(500);
  }

  it('one failure does not pause, and a success clears the count', async () => {
    const employer = await w.organisation('EMPLOYER');
    const { client, secret } = await w.apiClient(employer);
    expect((await attempt(client.clientId, 'wrong')).status).toBe(401);
    expect((await attempt(client.clientId, secret)).status).toBe(200);
    expect(await failures(client.clientId)).toBe(0);
  });
});
