import { AccessEndedService } from '../../src/events/access/access-ended.service';
import { EventsJobs } from '../../src/events/events.jobs';
import { staffClaims, world } from '../factories/world';
import { createTestApp, type GqlResult, type TestApp } from '../utils/test-app';

/**
 * "Access ended" (docs/events.md): once a recipient may no longer keep a category it received
 * (per the ledger), it is told — an access.ended event with the masked reason, a tombstone in
 * its sync, the ledger's record — and the learner sees that it was told. One test per cause;
 * time-driven causes are moved in the database (not waited for) and found by the sweep.
 */
describe('access ended', () => {
  let t: TestApp;
  let w: ReturnType<typeof world>;
  let staff: string;
  let access: AccessEndedService;
  let jobs: EventsJobs;

  beforeAll(async () => {
    t = await createTestApp();
    w = world(t.db);
    staff = t.token(staffClaims((await w.organisation('PROVIDER')).id));
    access = t.app.get(AccessEndedService);
    jobs = t.app.get(EventsJobs);
  });
  afterAll(() => t.close());

  const PAGE = `{ learners { nodes { id enrolments { id progressPercent completed status } } } }`;
  type Basis = 'PROCESSOR' | 'LEGITIMATE_INTEREST' | 'CONSENT' | 'STUDY_CONTRACT';

  /** Checks until none is left: the tracker first (what was received), then the checker. */
  async function check() {
    await access.trackReceived();
    while ((await access.runOnce(1000)) > 0);
  }

  /** An employer that received COMPLETION (and ENROLMENT_STATUS) of one employee's enrolment under `basis`. */
  async function received(basis: Basis, categories = ['ENROLMENT_STATUS', 'COMPLETION']) {
    const employer = await w.organisation(
      'EMPLOYER',
      `Zorggroep ${Math.random().toString(36).slice(2, 7)}`,
    );
    const learner = await w.learner({ locale: 'en' });
    const employment = await w.employment(learner.id, employer.id);
    const course = await w.course();
    const enrolment = await w.enrolment(learner.id, course.id, employer.id, {
      sponsorEmployerId: employer.id,
      status: 'COMPLETED',
      completedAt: new Date(),
      progressPercent: 100,
    });
    const one = basis === 'CONSENT' || basis === 'STUDY_CONTRACT';
    const agreement = await w.agreement({
      recipientId: employer.id,
      basis,
      categories: categories as never,
      learnerId: one ? learner.id : null,
    });
    const hr = t.token((await w.apiClient(employer)).claims);
    const page = await t.gql(hr, PAGE);
    expect(page.errors).toBeUndefined();
    expect(
      page.data.learners.nodes.find((n: { id: string }) => n.id === learner.id).enrolments[0]
        .completed,
    ).toBe(true);
    await check();
    // Received, and still shared: nothing to tell yet.
    expect(await accessEnded(hr)).toEqual([]);
    return {
      employer,
      learner,
      employment,
      enrolment,
      agreement,
      hr,
      learnerToken: t.token({ sub: learner.id, kind: 'LEARNER' }),
    };
  }

  async function accessEnded(hr: string, since = new Date(Date.now() - 3600_000)) {
    const res: GqlResult = await t.gql(
      hr,
      `query($since: DateTime!) { accessEnded(since: $since) { nodes { typeName learnerId enrolmentId categories reason } } }`,
      { since },
    );
    expect(res.errors).toBeUndefined();
    return res.data.accessEnded.nodes as {
      typeName: string;
      learnerId: string;
      enrolmentId: string;
      categories: string[];
      reason: string;
    }[];
  }

  /** What the learner reads in their disclosure history about being told. */
  async function toldInHistory(learnerToken: string) {
    const res: GqlResult = await t.gql(
      learnerToken,
      `{ disclosures(first: 50) { nodes { kind reason recipient { name } items { categories { category } } } } }`,
    );
    expect(res.errors).toBeUndefined();
    return (
      res.data.disclosures.nodes as {
        kind: string;
        reason: string;
        recipient: { name: string };
        items: { categories: { category: string }[] }[];
      }[]
    ).filter((d) => d.kind === 'ACCESS_ENDED');
  }

  async function expectTold(
    s: Awaited<ReturnType<typeof received>>,
    reason: string,
    categories = ['ENROLMENT_STATUS', 'COMPLETION'],
  ) {
    await check();
    const tombstones = await accessEnded(s.hr);
    expect(tombstones).toEqual([
      {
        typeName: 'access.ended',
        learnerId: s.learner.id,
        enrolmentId: s.enrolment.id,
        categories,
        reason,
      },
    ]);
    const history = await toldInHistory(s.learnerToken);
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ reason, recipient: { name: s.employer.name } });
    expect(history[0].items[0].categories.map((c) => c.category)).toEqual(categories);
    // Told once: checking again changes nothing.
    await t.db.query(`INSERT INTO access_checks (learner_id) VALUES ($1)`, [s.learner.id]);
    await check();
    expect(await accessEnded(s.hr)).toHaveLength(1);
  }

  it('consent withdrawn: NOT_SHARED, and the learner sees the employer was told', async () => {
    const s = await received('CONSENT');
    const res = await t.gql(
      s.learnerToken,
      `mutation($id: ID!) { withdrawConsent(agreementId: $id) { id } }`,
      { id: s.agreement.agreementId },
    );
    expect(res.errors).toBeUndefined();
    await expectTold(s, 'NOT_SHARED');
    // The learner's inbox says so too.
    const inbox: GqlResult = await t.gql(
      s.learnerToken,
      `{ notifications(first: 50) { nodes { kind recipient { name } } } }`,
    );
    expect(inbox.data.notifications.nodes).toContainEqual({
      kind: 'ACCESS_ENDED',
      recipient: { name: s.employer.name },
    });
  });

  it('objection to a legitimate interest: NOT_SHARED', async () => {
    const s = await received('LEGITIMATE_INTEREST');
    const res = await t.gql(
      s.learnerToken,
      `mutation($id: ID!) { objectToLegitimateInterest(agreementId: $id) { id } }`,
      { id: s.agreement.agreementId },
    );
    expect(res.errors).toBeUndefined();
    await expectTold(s, 'NOT_SHARED');
  });

  it('restriction of processing: NOT_SHARED', async () => {
    const s = await received('PROCESSOR');
    const res = await t.gql(
      s.learnerToken,
      `mutation { requestRestriction(reason: "checking my data") { id } }`,
    );
    expect(res.errors).toBeUndefined();
    await expectTold(s, 'NOT_SHARED');
  });

  it("erasure: NOT_SHARED, and the erasure's recipient notice is marked sent", async () => {
    const s = await received('PROCESSOR');
    const res = await t.gql(
      s.learnerToken,
      `mutation { fileRequest(input: { kind: ERASURE }) { status } }`,
    );
    expect(res.errors).toBeUndefined();
    await check();
    expect(await accessEnded(s.hr)).toEqual([
      {
        typeName: 'access.ended',
        learnerId: s.learner.id,
        enrolmentId: s.enrolment.id,
        categories: ['ENROLMENT_STATUS', 'COMPLETION'],
        reason: 'NOT_SHARED',
      },
    ]);
    const notices = await t.db.query(
      `SELECT sent_at FROM recipient_notices WHERE learner_id = $1 AND recipient_id = $2`,
      [s.learner.id, s.employer.id],
    );
    expect(notices.length).toBeGreaterThan(0);
    for (const n of notices) expect(n.sent_at).not.toBeNull();
    // The ledger records it (the learner can no longer log in to read it).
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM disclosures WHERE learner_id = $1 AND kind = 'ACCESS_ENDED'`,
      [s.learner.id],
    );
    expect(n).toBe(1);
    // ... and no inbox row is written for them any more.
    const [{ inbox }] = await t.db.query(
      `SELECT count(*)::int AS inbox FROM notifications WHERE learner_id = $1 AND kind = 'ACCESS_ENDED'`,
      [s.learner.id],
    );
    expect(inbox).toBe(0);
  });

  it('agreement revoked: AGREEMENT_ENDED', async () => {
    const s = await received('PROCESSOR');
    const res = await t.gql(
      staff,
      `mutation($id: ID!) { revokeSharingAgreement(agreementId: $id) { id } }`,
      { id: s.agreement.agreementId },
    );
    expect(res.errors).toBeUndefined();
    await expectTold(s, 'AGREEMENT_ENDED');
  });

  it('agreement narrowed to fewer categories: only the dropped ones end', async () => {
    const s = await received('PROCESSOR');
    const res = await t.gql(
      staff,
      `mutation($id: ID!) { changeSharingAgreement(agreementId: $id, input: { categories: [ENROLMENT_STATUS] }) { id } }`,
      { id: s.agreement.agreementId },
    );
    expect(res.errors).toBeUndefined();
    await expectTold(s, 'AGREEMENT_ENDED', ['COMPLETION']);
  });

  it('validUntil passing (time-driven): found by the sweep, AGREEMENT_ENDED', async () => {
    const s = await received('PROCESSOR');
    // Time moves in the database: the validity ends a minute ago, written as the clock would
    // have it, without the write itself calling for a check (triggers off for this session).
    await t.admin.transaction(async (em) => {
      await em.query(`SET LOCAL session_replication_role = replica`);
      await em.query(
        `UPDATE sharing_agreements SET valid_until = now() - interval '1 minute' WHERE id = $1`,
        [s.agreement.id],
      );
    });
    await check();
    expect(await accessEnded(s.hr)).toEqual([]);
    await t.db.query(
      `UPDATE event_watermarks SET at = now() - interval '5 minutes' WHERE name = 'access-sweep'`,
    );
    expect((await jobs.sweep()).checks).toBeGreaterThan(0);
    await expectTold(s, 'AGREEMENT_ENDED');
  });

  it('employment ended (written): EMPLOYMENT_ENDED', async () => {
    const s = await received('LEGITIMATE_INTEREST');
    const res = await t.gql(
      staff,
      `mutation($id: ID!) { updateEmployment(id: $id, input: { endedOn: "2025-06-30" }) { id } }`,
      { id: s.employment.id },
    );
    expect(res.errors).toBeUndefined();
    await expectTold(s, 'EMPLOYMENT_ENDED');
  });

  it("employment's last day passing (time-driven): found by the sweep, EMPLOYMENT_ENDED", async () => {
    const s = await received('PROCESSOR');
    // Its last day was yesterday (Amsterdam calendar): as of today it has ended.
    await t.admin.transaction(async (em) => {
      await em.query(`SET LOCAL session_replication_role = replica`);
      await em.query(
        `UPDATE employments SET ended_on = (now() AT TIME ZONE 'Europe/Amsterdam')::date - 1 WHERE id = $1`,
        [s.employment.id],
      );
    });
    await check();
    expect(await accessEnded(s.hr)).toEqual([]);
    await t.db.query(
      `UPDATE event_watermarks SET at = now() - interval '1 day' WHERE name = 'access-sweep'`,
    );
    await jobs.sweep();
    await expectTold(s, 'EMPLOYMENT_ENDED');
  });

  describe('a broker reading through a mandate', () => {
    async function brokerReceived() {
      const employer = await w.organisation('EMPLOYER');
      const broker = await w.organisation(
        'BROKER',
        `Broker ${Math.random().toString(36).slice(2, 7)}`,
      );
      const mandate = await w.mandate(broker.id, employer.id, {
        categories: ['ENROLMENT_STATUS', 'COMPLETION'],
      });
      const learner = await w.learner({ locale: 'en' });
      await w.employment(learner.id, employer.id);
      const course = await w.course();
      const enrolment = await w.enrolment(learner.id, course.id, broker.id, {
        sponsorEmployerId: employer.id,
        status: 'COMPLETED',
        completedAt: new Date(),
        progressPercent: 100,
      });
      const employerAgreement = await w.agreement({
        recipientId: employer.id,
        basis: 'PROCESSOR',
        categories: ['ENROLMENT_STATUS', 'COMPLETION'],
      });
      const hr = t.token((await w.apiClient(broker)).claims);
      const page = await t.gql(hr, PAGE);
      expect(page.data.learners.nodes.map((n: { id: string }) => n.id)).toContain(learner.id);
      await check();
      expect(await accessEnded(hr)).toEqual([]);
      return {
        employer: broker,
        learner,
        enrolment,
        mandate,
        employerAgreement,
        hr,
        learnerToken: t.token({ sub: learner.id, kind: 'LEARNER' }),
      };
    }

    it('mandate revoked: MANDATE_ENDED', async () => {
      const s = await brokerReceived();
      const res = await t.gql(staff, `mutation($id: ID!) { revokeBrokerMandate(id: $id) { id } }`, {
        id: s.mandate.id,
      });
      expect(res.errors).toBeUndefined();
      await expectTold(
        { ...s, employment: null as never, agreement: null as never },
        'MANDATE_ENDED',
      );
    });

    it("the employer's own employee-wide agreement revoked: the broker reading through its mandate is told too", async () => {
      const s = await brokerReceived();
      const res = await t.gql(
        staff,
        `mutation($id: ID!) { revokeSharingAgreement(agreementId: $id) { id } }`,
        { id: s.employerAgreement.agreementId },
      );
      expect(res.errors).toBeUndefined();
      await expectTold(
        { ...s, employment: null as never, agreement: null as never },
        'AGREEMENT_ENDED',
      );
    });

    it('mandate narrowed: the dropped category ends, MANDATE_ENDED', async () => {
      const s = await brokerReceived();
      const res = await t.gql(
        staff,
        `mutation($id: ID!) { changeBrokerMandate(id: $id, input: { categories: [ENROLMENT_STATUS] }) { id } }`,
        { id: s.mandate.id },
      );
      expect(res.errors).toBeUndefined();
      await expectTold(
        { ...s, employment: null as never, agreement: null as never },
        'MANDATE_ENDED',
        ['COMPLETION'],
      );
    });

    it('mandate validUntil passing (time-driven): found by the sweep', async () => {
      const s = await brokerReceived();
      await t.admin.transaction(async (em) => {
        await em.query(`SET LOCAL session_replication_role = replica`);
        await em.query(
          `UPDATE broker_mandates SET valid_until = now() - interval '1 minute' WHERE id = $1`,
          [s.mandate.id],
        );
      });
      await check();
      expect(await accessEnded(s.hr)).toEqual([]);
      await t.db.query(
        `UPDATE event_watermarks SET at = now() - interval '5 minutes' WHERE name = 'access-sweep'`,
      );
      await jobs.sweep();
      await expectTold(
        { ...s, employment: null as never, agreement: null as never },
        'MANDATE_ENDED',
      );
    });
  });

  it('a tombstone is not for anyone else, and events are not for recipients that never received', async () => {
    const s = await received('PROCESSOR');
    const other = await w.organisation('EMPLOYER');
    const otherHr = t.token((await w.apiClient(other)).claims);
    await t.gql(staff, `mutation($id: ID!) { revokeSharingAgreement(agreementId: $id) { id } }`, {
      id: s.agreement.agreementId,
    });
    await check();
    expect(await accessEnded(otherHr)).toEqual([]);
    // The other employer's feed cursor is useless for this one: it reads like an expired cursor.
    const mine: GqlResult = await t.gql(s.hr, `{ events(first: 1) { pageInfo { endCursor } } }`);
    const theirs: GqlResult = await t.gql(
      otherHr,
      `query($after: String) { events(after: $after) { nodes { id } } }`,
      { after: mine.data.events.pageInfo.endCursor },
    );
    expect(theirs.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});
