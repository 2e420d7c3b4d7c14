import { DataSource } from 'typeorm';
import { uuid7 } from '../../src/common/uuid7';
import { writeEvents, type NewEvent } from '../../src/events/events-writer';
import { world } from '../factories/world';
import { createTestApp, type TestApp } from '../utils/test-app';

/** `/metrics` (docs/operations.md, "Metrics"): what it counts, and who may read it. */
describe('metrics', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ METRICS_TOKEN: 'scrape-secret' });
  });
  afterAll(() => t.close());

  it('counts operations, cost, disclosures and the ledger write, and reads queue depth and lag from the database', async () => {
    const w = world(t.db);
    const employer = await w.organisation('EMPLOYER');
    const learner = await w.learner();
    await w.employment(learner.id, employer.id);
    await w.enrolment(learner.id, (await w.course()).id, employer.id, { sponsorEmployerId: employer.id, progressPercent: 10 });
    await w.agreement({ recipientId: employer.id, basis: 'PROCESSOR', categories: ['PROGRESS'] });
    const res = await t.gql(t.token((await w.apiClient(employer)).claims), `query HrSync { learners { nodes { enrolments { progressPercent } } } }`);
    expect(res.errors).toBeUndefined();

    expect((await t.http().get('/metrics')).status).toBe(401);
    const scrape = await t.http().get('/metrics').set('authorization', 'Bearer scrape-secret');
    expect(scrape.status).toBe(200);
    const text = scrape.text;
    const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? NaN);
    expect(value(/^rsa_graphql_requests_total\{operation="HrSync",outcome="ok"\} (\d+)/m)).toBeGreaterThanOrEqual(1);
    expect(value(/^rsa_disclosures_written_total (\d+)/m)).toBeGreaterThanOrEqual(1);
    expect(value(/^rsa_ledger_write_seconds_count (\d+)/m)).toBeGreaterThanOrEqual(1);
    expect(value(/^rsa_graphql_cost_total (\d+)/m)).toBeGreaterThan(0);
    // The email job of that disclosure waits (no workers here), and its notification is unsent.
    expect(value(/^rsa_job_queue_depth\{queue="notify-email"\} (\d+)/m)).toBeGreaterThanOrEqual(1);
    expect(value(/^rsa_notification_lag_seconds ([\d.e-]+)/m)).toBeGreaterThanOrEqual(0);
    for (const pool of ['main', 'gated', 'control']) expect(text).toMatch(new RegExp(`^rsa_db_pool_waiting\\{pool="${pool}"\\} \\d+`, 'm'));
    expect(text).toMatch(/^rsa_dead_letters \d+/m);
  });

  it('counts the events a transaction wrote once it has committed, never those rolled back', async () => {
    const owner = await world(t.db).organisation('EMPLOYER');
    const emitted = async () => {
      const text = (await t.http().get('/metrics').set('authorization', 'Bearer scrape-secret')).text;
      return Number(/^rsa_events_emitted_total\{type="webhook_endpoint.disabled"\} (\d+)/m.exec(text)?.[1] ?? 0);
    };
    const event = (): NewEvent => ({ id: uuid7(), recipientId: owner.id, type: 'webhook_endpoint.disabled', endpointId: null, occurredAt: new Date() });
    const stored = async (id: string) => (await t.db.query(`SELECT 1 FROM events WHERE id = $1`, [id])).length;
    const qr = t.app.get(DataSource).createQueryRunner();
    await qr.connect();
    try {
      const start = await emitted();
      // Rolled back: neither in the feed nor counted.
      await qr.startTransaction();
      const gone = event();
      await writeEvents(qr, [gone]);
      await qr.rollbackTransaction();
      expect(await stored(gone.id)).toBe(0);
      expect(await emitted()).toBe(start);
      // Written but not yet committed: not counted yet; counted once committed.
      await qr.startTransaction();
      const kept = [event(), event()];
      await writeEvents(qr, kept);
      expect(await emitted()).toBe(start);
      await qr.commitTransaction();
      expect(await stored(kept[0].id)).toBe(1);
      expect(await emitted()).toBe(start + 2);
      // The same through a transaction callback (the webhook dispatcher's way).
      await t.app.get(DataSource).transaction((em) => writeEvents(em.queryRunner!, [event()]));
      expect(await emitted()).toBe(start + 3);
      await expect(
        t.app.get(DataSource).transaction(async (em) => {
          await writeEvents(em.queryRunner!, [event()]);
          throw new Error('the rest of the batch failed');
        }),
      ).rejects.toThrow('the rest of the batch failed');
      expect(await emitted()).toBe(start + 3);
    } finally {
      await qr.release();
    }
  });

  it('does not exist in production without a token', async () => {
    const prod = await createTestApp({ NODE_ENV: 'production' });
    try {
      expect((await prod.http().get('/metrics')).status).toBe(404);
    } finally {
      await prod.close();
    }
  });
});
