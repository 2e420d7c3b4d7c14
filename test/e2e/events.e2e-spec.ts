import { EventEmitter } from '../../src/events/event-emitter';
import { EventsJobs } from '../../src/events/events.jobs';
import { AccessEndedService } from '../../src/events/access/access-ended.service';
import { staffClaims, world } from '../factories/world';
import { countQueries } from '../utils/query-counter';
import { createTestApp, type GqlResult, type TestApp } from '../utils/test-app';

/**
 * Events at scale and over time (docs/events.md): a change that touches 1,000 enrolments is
 * emitted in a fixed number of statements; the feed keeps 30 days and says so to a cursor past
 * them; the ledger verifies with ACCESS_ENDED entries in it.
 */
describe('events', () => {
  let t: TestApp;
  let w: ReturnType<typeof world>;
  let staff: string;
  let emitter: EventEmitter;

  beforeAll(async () => {
    t = await createTestApp();
    w = world(t.db);
    staff = t.token(staffClaims((await w.organisation('PROVIDER')).id));
    emitter = t.app.get(EventEmitter);
  });
  afterAll(() => t.close());

  it('a change of 1,000 enrolments is one batch of a fixed number of statements, whatever its size', async () => {
    const employer = await w.organisation('EMPLOYER');
    const course = await w.course();
    await w.agreement({ recipientId: employer.id, basis: 'PROCESSOR', categories: ['PROGRESS'] });
    const learners = await Promise.all(Array.from({ length: 1000 }, () => w.learner()));
    await t.db.query(
      `INSERT INTO employments (learner_id, employer_id, employee_number, started_on) SELECT l, $2, 'E' || n, '2024-01-01' FROM unnest($1::uuid[]) WITH ORDINALITY AS u(l, n)`,
      [learners.map((l) => l.id), employer.id],
    );
    await t.db.query(
      `INSERT INTO enrolments (learner_id, course_id, sponsor_employer_id, enrolled_by_id, status, enrolled_at) SELECT unnest($1::uuid[]), $2, $3, $3, 'IN_PROGRESS', now()`,
      [learners.map((l) => l.id), course.id, employer.id],
    );
    while ((await emitter.runOnce(5000)) > 0);
    // One statement changes all 1,000 (the way a bulk import would).
    await t.db.query(
      `UPDATE enrolments SET progress_percent = 50, changed_at = changed_at || jsonb_build_object('PROGRESS', now()) WHERE course_id = $1`,
      [course.id],
    );
    const { result, queries } = await countQueries(t.app, () => emitter.runOnce(5000));
    expect(result).toBe(1000);
    // BEGIN, take the changes, visibility, learners, facts, lock, events, deliveries, COMMIT.
    expect(queries.length).toBeLessThanOrEqual(10);
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM events WHERE recipient_id = $1 AND type = 'enrolment.progress_changed'`,
      [employer.id],
    );
    expect(n).toBe(1000);
    // Ten times smaller, the same statements.
    await t.db.query(
      `UPDATE enrolments SET progress_percent = 60, changed_at = changed_at || jsonb_build_object('PROGRESS', now()) WHERE id IN (SELECT id FROM enrolments WHERE course_id = $1 LIMIT 100)`,
      [course.id],
    );
    const small = await countQueries(t.app, () => emitter.runOnce(5000));
    expect(small.queries.length).toBe(queries.length);
  });

  it("changes merged in one batch: a recipient's event is made only of the changes it may see", async () => {
    const employer = await w.organisation('EMPLOYER');
    const learner = await w.learner();
    await w.employment(learner.id, employer.id);
    const course = await w.course();
    // PROGRESS only: neither the enrolment's creation (ENROLMENT_STATUS) nor its completion is shared.
    await w.agreement({ recipientId: employer.id, basis: 'PROCESSOR', categories: ['PROGRESS'] });
    const enrolment = await w.enrolment(learner.id, course.id, employer.id, {
      sponsorEmployerId: employer.id,
      status: 'IN_PROGRESS',
      startedAt: new Date(),
    });
    await t.db.query(
      `UPDATE enrolments SET progress_percent = 40, changed_at = changed_at || jsonb_build_object('PROGRESS', now()) WHERE id = $1`,
      [enrolment.id],
    );
    await t.db.query(
      `UPDATE enrolments SET status = 'COMPLETED', completed_at = now(), changed_at = changed_at || jsonb_build_object('COMPLETION', now()) WHERE id = $1`,
      [enrolment.id],
    );
    const stamps = await t.db.query(
      `SELECT categories, changed_at FROM enrolment_changes WHERE enrolment_id = $1 ORDER BY id`,
      [enrolment.id],
    );
    expect(stamps.map((r: { categories: string[] }) => r.categories)).toEqual([
      ['ENROLMENT_STATUS'],
      ['PROGRESS'],
      ['COMPLETION'],
    ]);
    await emitter.runOnce(5000); // all three in one batch
    const events = await t.db.query(
      `SELECT type, categories, occurred_at FROM events WHERE recipient_id = $1 AND enrolment_id = $2`,
      [employer.id, enrolment.id],
    );
    // Not "created" (that would tell the enrolment's date), not "completed", and the time of the
    // progress change, not of the later completion.
    expect(events).toEqual([
      {
        type: 'enrolment.progress_changed',
        categories: ['PROGRESS'],
        occurred_at: stamps[1].changed_at,
      },
    ]);
  });

  it('the feed pages in commit order, keeps 30 days, and says so to a cursor past them', async () => {
    const employer = await w.organisation('EMPLOYER');
    const learner = await w.learner();
    await w.employment(learner.id, employer.id);
    const course = await w.course();
    const enrolment = await w.enrolment(learner.id, course.id, employer.id, {
      sponsorEmployerId: employer.id,
      status: 'IN_PROGRESS',
      startedAt: new Date(),
    });
    await w.agreement({
      recipientId: employer.id,
      basis: 'PROCESSOR',
      categories: ['ENROLMENT_STATUS', 'PROGRESS'],
    });
    const hr = t.token((await w.apiClient(employer)).claims);
    await emitter.runOnce(1000); // its creation, on its own
    for (let p = 1; p <= 5; p++) {
      await t.gql(
        staff,
        `mutation($id: ID!, $p: Int!) { recordProgress(id: $id, input: { progressPercent: $p }) { id } }`,
        { id: enrolment.id, p },
      );
      await emitter.runOnce(1000);
    }
    const ids: string[] = [];
    let after: string | null = null;
    let cursorOfSecond: string | null = null;
    for (;;) {
      const res: GqlResult = await t.gql(
        hr,
        `query($after: String) { events(first: 2, after: $after) { edges { cursor node { id typeName } } pageInfo { endCursor hasNextPage } } }`,
        { after },
      );
      expect(res.errors).toBeUndefined();
      ids.push(...res.data.events.edges.map((e: { node: { id: string } }) => e.node.id));
      cursorOfSecond ??= res.data.events.edges[1]?.cursor ?? null;
      if (!res.data.events.pageInfo.hasNextPage) break;
      after = res.data.events.pageInfo.endCursor;
    }
    expect(ids).toHaveLength(6); // created + 5 progress changes
    const positions = await t.db.query(
      `SELECT id FROM events WHERE recipient_id = $1 ORDER BY position`,
      [employer.id],
    );
    expect(ids).toEqual(positions.map((p: { id: string }) => p.id));
    // Age every event of this employer past the window; the sweep deletes them (with their deliveries).
    await t.db.query(
      `UPDATE events SET created_at = now() - interval '31 days' WHERE recipient_id = $1`,
      [employer.id],
    );
    const { deleted } = await t.app.get(EventsJobs).sweep();
    expect(deleted).toBeGreaterThanOrEqual(6);
    const expired: GqlResult = await t.gql(
      hr,
      `query($after: String) { events(after: $after) { nodes { id } } }`,
      { after: cursorOfSecond },
    );
    expect(expired.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'after',
    });
    expect(expired.errors?.[0].message).toContain('30 days');
    const empty: GqlResult = await t.gql(
      hr,
      `{ events { nodes { id } pageInfo { hasNextPage } } }`,
    );
    expect(empty.data.events.nodes).toEqual([]);
  });

  it('the ledger verifies with ACCESS_ENDED entries among the disclosures', async () => {
    const employer = await w.organisation('EMPLOYER');
    const learner = await w.learner();
    await w.employment(learner.id, employer.id);
    const course = await w.course();
    await w.enrolment(learner.id, course.id, employer.id, {
      sponsorEmployerId: employer.id,
      status: 'COMPLETED',
      completedAt: new Date(),
    });
    const agreement = await w.agreement({
      recipientId: employer.id,
      basis: 'PROCESSOR',
      categories: ['COMPLETION'],
    });
    const hr = t.token((await w.apiClient(employer)).claims);
    await t.gql(hr, `{ learners { nodes { enrolments { completed } } } }`);
    const access = t.app.get(AccessEndedService);
    await access.trackReceived();
    await access.runOnce(1000);
    await t.gql(staff, `mutation($id: ID!) { revokeSharingAgreement(agreementId: $id) { id } }`, {
      id: agreement.agreementId,
    });
    await access.runOnce(1000);
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM disclosures WHERE kind = 'ACCESS_ENDED' AND recipient_id = $1`,
      [employer.id],
    );
    expect(n).toBe(1);
    const verified: GqlResult = await t.gql(
      staff,
      `{ verifyLedger { ok entriesChecked firstBroken { problem } } }`,
    );
    expect(verified.data.verifyLedger).toMatchObject({ ok: true, firstBroken: null });
    // A kind changed after the fact is caught (as the owner could; the application role cannot).
    await t.admin.transaction(async (em) => {
      await em.query(`SET LOCAL session_replication_role = replica`);
      await em.query(
        `UPDATE disclosures SET kind = 'DISCLOSURE' WHERE kind = 'ACCESS_ENDED' AND recipient_id = $1`,
        [employer.id],
      );
    });
    const broken: GqlResult = await t.gql(staff, `{ verifyLedger { ok firstBroken { problem } } }`);
    expect(broken.data.verifyLedger).toMatchObject({
      ok: false,
      firstBroken: { problem: 'entry columns or content do not match its hash' },
    });
  });
});
