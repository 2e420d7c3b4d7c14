import { DataSource } from 'typeorm';
import { ROOT_LOGGER_TOKEN } from '../../src/common/logging/root-logger.token';
import { APP_CONFIG, type AppConfig } from '../../src/config/app-config';
import { EventEmitter } from '../../src/events/event-emitter';
import { WebhookDispatcher } from '../../src/events/webhooks/webhook-dispatcher';
import { staffClaims, world } from '../factories/world';
import { createTestApp, type GqlResult, type TestApp } from '../utils/test-app';
import { WebhookReceiver } from '../utils/webhook-receiver';

/**
 * Webhooks end to end (docs/events.md): an HR client subscribes over GraphQL; a change made
 * through the API becomes an event; the dispatcher posts it to a real HTTP receiver, which
 * verifies every signature with the Standard Webhooks reference verification. Retries keep the
 * webhook-id; a receiver down for a while gets everything the feed shows once it is up; a
 * permanently failing endpoint is disabled and its owner told; secrets rotate with two
 * signatures; redirects are not followed; a hanging endpoint blocks no other.
 */
describe('webhooks', () => {
  let t: TestApp;
  let w: ReturnType<typeof world>;
  let staff: string;
  let emitter: EventEmitter;
  let dispatcher: WebhookDispatcher;
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    t = await createTestApp({
      // Far above any answer here (≤ 150 ms): a CI machine starved of CPU for a second must not
      // turn a delivery into a timeout. The one test about timeouts has its own dispatcher.
      WEBHOOK_TIMEOUT_SECONDS: '30',
      WEBHOOK_MAX_ATTEMPTS: '3',
      WEBHOOK_DISABLE_AFTER_FAILURES: '4',
      WEBHOOK_MAX_IN_FLIGHT: '8',
    });
    w = world(t.db);
    staff = t.token(staffClaims((await w.organisation('PROVIDER')).id));
    emitter = t.app.get(EventEmitter);
    dispatcher = t.app.get(WebhookDispatcher);
  });
  afterAll(async () => {
    for (const r of receivers) await r.stop().catch(() => undefined);
    await t.close();
  });

  async function receiver(port = 0) {
    const r = await new WebhookReceiver().start(port);
    receivers.push(r);
    return r;
  }

  /** An employer with one employee enrolled, PROGRESS and COMPLETION shared; its HR client. */
  async function employerWithEmployee() {
    const employer = await w.organisation('EMPLOYER');
    const learner = await w.learner();
    await w.employment(learner.id, employer.id);
    const course = await w.course();
    const enrolment = await w.enrolment(learner.id, course.id, employer.id, {
      sponsorEmployerId: employer.id,
      status: 'IN_PROGRESS',
      progressPercent: 10,
      startedAt: new Date('2026-10-01T08:00:00Z'),
    });
    await w.agreement({
      recipientId: employer.id,
      basis: 'PROCESSOR',
      categories: ['ENROLMENT_STATUS', 'PROGRESS', 'COMPLETION'],
    });
    const hr = t.token((await w.apiClient(employer)).claims);
    await emitter.runOnce(10_000); // the enrolment's own creation
    return { employer, learner, course, enrolment, hr };
  }

  async function subscribe(hr: string, url: string, extra = '') {
    const res = await t.gql(
      hr,
      `mutation($url: String!) { createWebhookEndpoint(input: { url: $url, eventTypes: [ENROLMENT_PROGRESS_CHANGED, ENROLMENT_COMPLETED, ACCESS_ENDED, WEBHOOK_ENDPOINT_DISABLED] ${extra} }) { secret endpoint { id url enabled maxInFlight } } }`,
      { url },
    );
    expect(res.errors).toBeUndefined();
    return res.data.createWebhookEndpoint as {
      secret: string;
      endpoint: { id: string; url: string; enabled: boolean; maxInFlight: number };
    };
  }

  async function progress(enrolmentId: string, percent: number) {
    const res = await t.gql(
      staff,
      `mutation($id: ID!, $p: Int!) { recordProgress(id: $id, input: { progressPercent: $p }) { id } }`,
      { id: enrolmentId, p: percent },
    );
    expect(res.errors).toBeUndefined();
  }

  /** Makes every waiting retry of these endpoints due now (time moved in the database, not slept). */
  async function dueNow(endpointIds: string[]) {
    await t.db.query(
      `UPDATE webhook_deliveries SET next_attempt_at = now() WHERE endpoint_id = ANY($1::uuid[]) AND status = 'PENDING'`,
      [endpointIds],
    );
  }

  async function feed(
    hr: string,
  ): Promise<{ id: string; typeName: string; enrolmentId: string; categories: string[] }[]> {
    const out = [];
    let after: string | null = null;
    for (;;) {
      const res: GqlResult = await t.gql(
        hr,
        `query($after: String) { events(first: 100, after: $after) { nodes { id typeName enrolmentId categories } pageInfo { endCursor hasNextPage } } }`,
        { after },
      );
      expect(res.errors).toBeUndefined();
      out.push(...res.data.events.nodes);
      if (!res.data.events.pageInfo.hasNextPage) return out;
      after = res.data.events.pageInfo.endCursor;
    }
  }

  it('delivers a signed, thin event that verifies with the reference implementation', async () => {
    const { enrolment, hr, learner, course } = await employerWithEmployee();
    const r = await receiver();
    const { secret, endpoint } = await subscribe(hr, r.url);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(endpoint).toMatchObject({ url: r.url, enabled: true, maxInFlight: 8 });
    r.secrets = [secret];
    await progress(enrolment.id, 55);
    expect(await emitter.runOnce(10_000)).toBeGreaterThan(0);
    await dispatcher.runOnce();
    expect(r.received).toHaveLength(1);
    const [got] = r.received;
    expect(got.verifiedWith).toEqual([secret]);
    expect(got.payload).toEqual({
      type: 'enrolment.progress_changed',
      timestamp: expect.any(String),
      data: {
        id: got.id,
        learnerId: learner.id,
        enrolmentId: enrolment.id,
        courseId: course.id,
        categories: ['PROGRESS'],
        occurredAt: expect.any(String),
      },
    });
    // Nothing is in flight any more; the delivery is recorded.
    const res = await t.gql(
      hr,
      `query($id: ID!) { webhookDeliveries(endpointId: $id) { nodes { eventId status attempts lastStatus } } }`,
      { id: endpoint.id },
    );
    expect(res.data.webhookDeliveries.nodes).toEqual([
      { eventId: got.id, status: 'DELIVERED', attempts: 1, lastStatus: 204 },
    ]);
    // Emitting wrote no ledger entry: the refetch will.
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM disclosures WHERE learner_id = $1`,
      [learner.id],
    );
    expect(n).toBe(0);
  });

  it('retries with backoff under the same webhook-id, and a timeout or a 500 blocks no other endpoint', async () => {
    const a = await employerWithEmployee();
    const failing = await receiver();
    const hanging = await receiver();
    const fine = await receiver();
    const s1 = await subscribe(a.hr, failing.url);
    const s2 = await subscribe(a.hr, hanging.url);
    const s3 = await subscribe(a.hr, fine.url);
    failing.secrets = [s1.secret];
    fine.secrets = [s3.secret];
    failing.answer = ({ n }) => ({ status: n === 1 ? 500 : 200 });
    hanging.answer = () => ({ status: 200, hang: true });
    await progress(a.enrolment.id, 60);
    await emitter.runOnce(10_000);
    // A dispatcher whose timeout is short enough to wait for here; the suite's is 30 s.
    const config = t.app.get<AppConfig>(APP_CONFIG);
    const quick = new WebhookDispatcher(t.app.get(DataSource), { ...config, events: { ...config.events, webhookTimeoutSeconds: 3 } }, t.app.get(ROOT_LOGGER_TOKEN));
    try {
      const started = Date.now();
      await quick.runOnce();
      // The hanging endpoint was cut off by the timeout; the others were answered meanwhile.
      expect(fine.received).toHaveLength(1);
      expect(failing.attempts).toHaveLength(1);
      expect(failing.received).toHaveLength(0);
      const [delivery] = await t.db.query(
        `SELECT status, attempts, last_status, last_error, next_attempt_at > now() + interval '1 second' AS later FROM webhook_deliveries WHERE endpoint_id = $1`,
        [s1.endpoint.id],
      );
      expect(delivery).toMatchObject({
        status: 'PENDING',
        attempts: 1,
        last_status: 500,
        later: true,
      });
      expect(delivery.last_error).toContain('HTTP 500');
      const [hung] = await t.db.query(
        `SELECT status, last_status, last_error FROM webhook_deliveries WHERE endpoint_id = $1`,
        [s2.endpoint.id],
      );
      expect(hung).toMatchObject({ status: 'PENDING', last_status: null });
      expect(hung.last_error).toMatch(/no answer within 3 s/);
      expect(Date.now() - started).toBeLessThan(10_000);
      // Not due yet: nothing happens.
      expect(await quick.runOnce()).toBe(0);
      await dueNow([s1.endpoint.id]);
      await quick.runOnce();
      expect(failing.received).toHaveLength(1);
      expect(failing.attempts.map((x) => x.id)).toEqual([
        failing.received[0].id,
        failing.received[0].id,
      ]);
      expect(failing.received[0].id).toBe(fine.received[0].id);
      expect(failing.received[0].verifiedWith).toEqual([s1.secret]);
    } finally {
      quick.close();
      // Its retry falls due during later tests, whose dispatcher waits 30 s: it answers at once.
      hanging.answer = () => ({ status: 200 });
    }
  });

  it('a receiver down for a while, then up, gets exactly what the feed shows', async () => {
    const a = await employerWithEmployee();
    const probe = await receiver();
    const port = probe.port;
    await probe.stop(); // a port with nobody listening: connection refused
    const { secret, endpoint } = await subscribe(a.hr, `http://127.0.0.1:${port}/hooks`);
    // Three failures in a row: one fewer than disables the endpoint.
    for (const p of [20, 30]) {
      await progress(a.enrolment.id, p);
      await emitter.runOnce(10_000);
    }
    await t.gql(
      staff,
      `mutation($id: ID!) { recordProgress(id: $id, input: { status: COMPLETED, progressPercent: 100, completedAt: "2026-11-01T10:00:00Z" }) { id } }`,
      { id: a.enrolment.id },
    );
    await emitter.runOnce(10_000);
    await dispatcher.runOnce();
    const [{ failed }] = await t.db.query(
      `SELECT count(*)::int AS failed FROM webhook_deliveries WHERE endpoint_id = $1 AND status = 'PENDING' AND attempts = 1`,
      [endpoint.id],
    );
    expect(failed).toBe(3);
    const up = await receiver(port);
    up.secrets = [secret];
    await dueNow([endpoint.id]);
    await dispatcher.runOnce();
    const shown = (await feed(a.hr)).filter(
      (e) => e.enrolmentId === a.enrolment.id && e.typeName !== 'enrolment.created',
    );
    expect(shown.map((e) => e.typeName)).toEqual([
      'enrolment.progress_changed',
      'enrolment.progress_changed',
      'enrolment.completed',
    ]);
    expect(up.uniqueIds().sort()).toEqual(shown.map((e) => e.id).sort());
    expect(up.received.every((r) => r.verifiedWith.length === 1)).toBe(true);
    const completed = up.received.find((r) => r.payload.type === 'enrolment.completed')!;
    // Completing changes COMPLETION (and here PROGRESS), not the generalised status.
    expect(completed.payload.data.categories).toEqual(['PROGRESS', 'COMPLETION']);
  });

  it('a permanently failing endpoint is dead-lettered, then disabled, and its owner told; re-drive and re-enable', async () => {
    const a = await employerWithEmployee();
    const r = await receiver();
    r.answer = () => ({ status: 503 });
    const { secret, endpoint } = await subscribe(a.hr, r.url);
    r.secrets = [secret];
    await progress(a.enrolment.id, 11);
    await progress(a.enrolment.id, 12); // two events, in two batches
    await emitter.runOnce(1);
    await emitter.runOnce(1);
    // 2 deliveries × attempts: the 3rd attempt of each is its last (WEBHOOK_MAX_ATTEMPTS 3), and
    // the 4th failure in a row disables the endpoint (WEBHOOK_DISABLE_AFTER_FAILURES 4).
    for (let i = 0; i < 3; i++) {
      await dueNow([endpoint.id]);
      await dispatcher.runOnce();
    }
    const ep = await t.gql(
      a.hr,
      `query($id: ID!) { webhookEndpoint(id: $id) { enabled disabledReason consecutiveFailures } }`,
      { id: endpoint.id },
    );
    expect(ep.data.webhookEndpoint).toMatchObject({
      enabled: false,
      disabledReason: expect.stringContaining('4 failed attempts'),
    });
    const told = (await feed(a.hr)).filter((e) => e.typeName === 'webhook_endpoint.disabled');
    expect(told).toHaveLength(1);
    // Disabled: nothing more is attempted, even when due.
    const attempts = r.attempts.length;
    await dueNow([endpoint.id]);
    await dispatcher.runOnce();
    expect(r.attempts).toHaveLength(attempts);
    // Its owner re-enables it once fixed; a dead letter is re-driven.
    r.answer = () => ({ status: 200 });
    const dead = await t.gql(
      a.hr,
      `query($id: ID!) { webhookDeliveries(endpointId: $id, status: FAILED) { nodes { id attempts lastError } } }`,
      { id: endpoint.id },
    );
    const deadIds = dead.data.webhookDeliveries.nodes.map((n: { id: string }) => n.id);
    const redriven = await t.gql(
      a.hr,
      `mutation($id: ID!, $ids: [ID!]) { redriveWebhookDeliveries(endpointId: $id, deliveryIds: $ids) }`,
      { id: endpoint.id, ids: deadIds },
    );
    expect(redriven.data.redriveWebhookDeliveries).toBe(deadIds.length);
    const on = await t.gql(
      a.hr,
      `mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { enabled: true }) { enabled consecutiveFailures disabledReason } }`,
      { id: endpoint.id },
    );
    expect(on.data.updateWebhookEndpoint).toEqual({
      enabled: true,
      consecutiveFailures: 0,
      disabledReason: null,
    });
    await dueNow([endpoint.id]);
    await dispatcher.runOnce();
    expect(r.uniqueIds().length).toBeGreaterThanOrEqual(deadIds.length);
  });

  it('rotation: during the overlap every delivery carries both signatures', async () => {
    const a = await employerWithEmployee();
    const r = await receiver();
    const { secret: old, endpoint } = await subscribe(a.hr, r.url);
    const rotated = await t.gql(
      a.hr,
      `mutation($id: ID!) { rotateWebhookSecret(id: $id, overlapHours: 2) { secret endpoint { previousSecretValidUntil } } }`,
      { id: endpoint.id },
    );
    expect(rotated.errors).toBeUndefined();
    const fresh = rotated.data.rotateWebhookSecret.secret as string;
    expect(fresh).not.toBe(old);
    expect(
      new Date(rotated.data.rotateWebhookSecret.endpoint.previousSecretValidUntil).getTime(),
    ).toBeGreaterThan(Date.now() + 3600_000);
    r.secrets = [old, fresh];
    await progress(a.enrolment.id, 70);
    await emitter.runOnce(10_000);
    await dispatcher.runOnce();
    expect(r.received[0].verifiedWith.sort()).toEqual([old, fresh].sort());
    expect(r.received[0].signature.split(' ')).toHaveLength(2);
    // After the overlap only the new secret signs.
    await t.db.query(
      `UPDATE webhook_endpoints SET previous_secret_until = now() - interval '1 second' WHERE id = $1`,
      [endpoint.id],
    );
    await progress(a.enrolment.id, 71);
    await emitter.runOnce(10_000);
    await dispatcher.runOnce();
    expect(r.received[1].verifiedWith).toEqual([fresh]);
    const tooLong = await t.gql(
      a.hr,
      `mutation($id: ID!) { rotateWebhookSecret(id: $id, overlapHours: 1000) { secret } }`,
      { id: endpoint.id },
    );
    expect(tooLong.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'overlapHours',
    });
  });

  it('never more than maxInFlight deliveries at once to one endpoint; redirects are not followed', async () => {
    const a = await employerWithEmployee();
    const slow = await receiver();
    slow.answer = () => ({ status: 200, delayMs: 150 });
    const { endpoint } = await subscribe(a.hr, slow.url, ', maxInFlight: 2');
    const moved = await receiver();
    moved.answer = () => ({ status: 302, location: 'http://169.254.169.254/latest/meta-data' });
    const m = await subscribe(a.hr, moved.url);
    for (let i = 0; i < 6; i++) {
      await progress(a.enrolment.id, 80 + i);
      await emitter.runOnce(1);
    }
    // Rounds until all are delivered: each round takes at most 2 for the slow endpoint.
    for (let i = 0; i < 5 && slow.received.length < 6; i++) await dispatcher.runOnce();
    expect(slow.received).toHaveLength(6);
    expect(slow.maxInFlight).toBeLessThanOrEqual(2);
    expect(slow.maxInFlight).toBe(2);
    const [redirect] = await t.db.query(
      `SELECT status, last_status, last_error FROM webhook_deliveries WHERE endpoint_id = $1 LIMIT 1`,
      [m.endpoint.id],
    );
    expect(redirect.last_status).toBe(302);
    expect(redirect.last_error).toContain('not followed');
    expect(endpoint.maxInFlight).toBe(2);
  });

  /**
   * Steps `d` as the background loop does (events.jobs.ts): a step, then the next once an attempt
   * has finished, until nothing is in flight and a step starts nothing. `before` runs ahead of
   * each step, with whether anything is in flight and a promise of the next attempt to finish.
   * Returns the number of transactions each step opened.
   */
  async function stepLikeTheLoop(d: WebhookDispatcher, before: (inFlight: boolean, finished: Promise<void>) => Promise<void> = () => Promise.resolve()) {
    const dataSource = t.app.get(DataSource);
    const transactions = jest.spyOn(dataSource, 'transaction');
    const perStep: number[] = [];
    const free = d.capacity;
    let settled: () => void = () => undefined;
    d.onSettled = () => settled();
    try {
      for (let i = 0; i < 40; i++) {
        const finished = new Promise<void>((resolve) => (settled = resolve));
        await before(d.capacity < free, finished);
        const at = transactions.mock.calls.length;
        const started = await d.step();
        perStep.push(transactions.mock.calls.length - at);
        if (started === 0 && d.capacity === free) break; // nothing in flight, nothing started
        if (d.capacity < free) await finished;
      }
      await d.settle();
    } finally {
      d.onSettled = () => undefined;
      transactions.mockRestore();
    }
    return perStep;
  }

  async function fiveEventsToASlowEndpoint() {
    const a = await employerWithEmployee();
    const slow = await receiver();
    slow.answer = () => ({ status: 200, delayMs: 100 });
    const { endpoint } = await subscribe(a.hr, slow.url, ', maxInFlight: 2');
    for (let i = 0; i < 5; i++) {
      await progress(a.enrolment.id, 60 + i);
      await emitter.runOnce(1);
    }
    const rows = () => t.db.query<{ status: string; attempts: number }[]>(`SELECT status, attempts FROM webhook_deliveries WHERE endpoint_id = $1`, [endpoint.id]);
    return { slow, rows };
  }

  it("the loop's step records what finished and claims the next in one transaction; a failed step or claim loses no outcome", async () => {
    const { slow, rows } = await fiveEventsToASlowEndpoint();
    const dataSource = t.app.get(DataSource);
    let failed: 'none' | 'step' | 'claim' = 'none';
    const perStep = await stepLikeTheLoop(dispatcher, async (inFlight, finished) => {
      if (!inFlight || failed === 'claim') return;
      await finished; // an attempt has finished: its outcome waits to be recorded
      if (failed === 'none') {
        // The whole step's transaction fails (a lost connection): nothing of it is written, and
        // the outcomes it held are recorded by the next step.
        failed = 'step';
        const before = await rows();
        jest.spyOn(dataSource, 'transaction').mockImplementationOnce(() => Promise.reject(new Error('connection lost')));
        await expect(dispatcher.step()).rejects.toThrow('connection lost');
        expect(await rows()).toEqual(before);
      } else {
        // Only the claim fails, after the outcomes were recorded in the same transaction: they
        // are committed all the same. (Counted over every endpoint: the attempt that just
        // finished may be a retry left due by an earlier test.)
        failed = 'claim';
        const recorded = async () =>
          Number((await t.db.query<{ n: string }[]>(`SELECT count(*) AS n FROM webhook_deliveries WHERE status <> 'SENDING' AND attempts > 0`))[0].n);
        const before = await recorded();
        const claim = jest.spyOn(dispatcher as unknown as { claimIn: () => Promise<never> }, 'claimIn').mockRejectedValueOnce(new Error('claim timed out'));
        await expect(dispatcher.step()).rejects.toThrow('claim timed out');
        claim.mockRestore();
        expect(await recorded()).toBeGreaterThan(before);
      }
    });
    expect(failed).toBe('claim');
    // One transaction a step (the failing ones above are outside the count).
    expect(perStep.every((n) => n === 1)).toBe(true);
    expect(slow.received).toHaveLength(5);
    expect(slow.maxInFlight).toBe(2);
    // Each delivered once, at its first attempt: no outcome was lost (a lost outcome leaves its
    // delivery SENDING, to be sent again when its lease runs out) or recorded twice.
    const final = await rows();
    expect(final).toHaveLength(5);
    expect(final.every((r) => r.status === 'DELIVERED' && r.attempts === 1)).toBe(true);
  });

  it('two dispatchers stepping at once (two processes) keep to an endpoint\'s maxInFlight and deliver each event once', async () => {
    const { slow, rows } = await fiveEventsToASlowEndpoint();
    const other = new WebhookDispatcher(t.app.get(DataSource), t.app.get(APP_CONFIG), t.app.get(ROOT_LOGGER_TOKEN));
    try {
      await Promise.all([stepLikeTheLoop(dispatcher), stepLikeTheLoop(other)]);
      // A delivery left due by a step that saw the other's leases is taken by a last round.
      await dispatcher.runOnce();
    } finally {
      other.close();
    }
    expect(slow.maxInFlight).toBeLessThanOrEqual(2);
    expect(new Set(slow.received.map((r) => r.id)).size).toBe(5);
    expect(slow.received).toHaveLength(5);
    const final = await rows();
    expect(final.every((r) => r.status === 'DELIVERED' && r.attempts === 1)).toBe(true);
  });

  it("bad input: malformed, non-https or credentialed URLs, unknown event types; another client's endpoint is not found", async () => {
    const a = await employerWithEmployee();
    const b = await employerWithEmployee();
    const bad = async (url: string) => {
      const res = await t.gql(
        a.hr,
        `mutation($url: String!) { createWebhookEndpoint(input: { url: $url, eventTypes: [ACCESS_ENDED] }) { secret } }`,
        { url },
      );
      expect(res.errors?.[0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'input.url',
      });
      expect(res.data).toBeNull();
    };
    await bad('not a url');
    await bad('ftp://hr.example/hooks');
    await bad('http://hr.example/hooks'); // plain http only to loopback
    await bad('https://user:pw@hr.example/hooks');
    const types = await t.gql(
      a.hr,
      `mutation { createWebhookEndpoint(input: { url: "https://hr.example/x", eventTypes: [] }) { secret } }`,
    );
    expect(types.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM webhook_endpoints WHERE owner_id = $1`,
      [a.employer.id],
    );
    expect(n).toBe(0);
    const mine = await subscribe(b.hr, 'https://hr.example/hooks');
    const unknown = await t.gql(a.hr, `query($id: ID!) { webhookEndpoint(id: $id) { id } }`, {
      id: '00000000-0000-7000-8000-000000000000',
    });
    for (const q of [
      `query($id: ID!) { webhookEndpoint(id: $id) { id } }`,
      `mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { enabled: false }) { id } }`,
      `mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }`,
      `mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`,
      `query($id: ID!) { webhookDeliveries(endpointId: $id) { nodes { id } } }`,
    ]) {
      const other = await t.gql(a.hr, q, { id: mine.endpoint.id });
      expect(other.errors?.[0].extensions.code).toBe('NOT_FOUND');
      expect(other.errors?.[0].message).toBe(unknown.errors?.[0].message);
    }
    const still = await t.gql(b.hr, `query($id: ID!) { webhookEndpoint(id: $id) { enabled } }`, {
      id: mine.endpoint.id,
    });
    expect(still.data.webhookEndpoint.enabled).toBe(true);
    // A learner or staff has no endpoints.
    const learner = await t.gql(
      t.token({ sub: a.learner.id, kind: 'LEARNER' }),
      `{ webhookEndpoints { id } }`,
    );
    expect(learner.errors?.[0].extensions.code).toBe('FORBIDDEN');
  });
});
