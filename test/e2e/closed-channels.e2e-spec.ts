import { staffClaims, world } from '../factories/world';
import { createTestApp, type TestApp } from '../utils/test-app';

/**
 * Channels through which a recipient could learn more than the rules allow, each closed and shown
 * closed over HTTP (docs/sharing-rules.md rules 3, 5, 10–12, 16; docs/ledger-and-notifications.md,
 * "Information duties"). Each scenario is the smallest world that showed the channel.
 */
const DAY = 86_400_000;
const day = (offset: number) => new Date(Date.now() + offset * DAY).toISOString().slice(0, 10);

describe('closed channels', () => {
  let t: TestApp;
  let w: ReturnType<typeof world>;
  let provider: Awaited<ReturnType<ReturnType<typeof world>['organisation']>>;
  let staff: string;

  beforeAll(async () => {
    t = await createTestApp();
    w = world(t.db);
    provider = await w.organisation('PROVIDER');
    staff = t.token(staffClaims(provider.id));
  });
  afterAll(() => t.close());

  const tokenOf = async (org: Awaited<ReturnType<typeof w.organisation>>) => t.token((await w.apiClient(org)).claims);
  const learnerAs = async (token: string, id: string, fields: string) => {
    const res = await t.gql(token, `query($id: ID!) { learner(id: $id) { ${fields} } }`, { id });
    return res;
  };

  it('a broker reads an employee number only at the employer for which it enrolled the learner (rule 3)', async () => {
    const employer = await w.organisation('EMPLOYER');
    const broker = await w.organisation('BROKER');
    const learner = await w.learner();
    await w.employment(learner.id, employer.id, { employeeNumber: `EMP-x-${process.pid}` });
    await w.mandate(broker.id, employer.id, { permissions: ['ENROL'], categories: [] });
    // Visible to the broker only through the learner's consent.
    await w.agreement({ recipientId: broker.id, basis: 'CONSENT', categories: ['COMPLETION'], learnerId: learner.id });
    const brokerToken = await tokenOf(broker);
    const seen = await learnerAs(brokerToken, learner.id, 'name employeeNumber');
    expect(seen.errors).toBeUndefined();
    expect(seen.data.learner).toEqual({ name: learner.name, employeeNumber: null });

    // Once it enrolled the learner for that employer, the number is data it supplied itself.
    const course = await w.course();
    await w.enrolment(learner.id, course.id, broker.id, { sponsorEmployerId: employer.id });
    expect((await learnerAs(brokerToken, learner.id, 'employeeNumber')).data.learner.employeeNumber).toBe(`EMP-x-${process.pid}`);
  });

  it('revocations and disclosure times are the database clock, not the API host\'s (rule 5)', async () => {
    const employer = await w.organisation('EMPLOYER');
    const broker = await w.organisation('BROKER');
    const learner = await w.learner();
    await w.employment(learner.id, employer.id);
    const course = await w.course();
    const enrolment = await w.enrolment(learner.id, course.id, broker.id, { sponsorEmployerId: employer.id, progressPercent: 40 });
    await w.agreement({ recipientId: employer.id, basis: 'PROCESSOR', categories: ['PROGRESS'] });
    const mandate = await w.mandate(broker.id, employer.id, { categories: ['PROGRESS'] });
    const brokerClient = (await w.apiClient(broker)).claims;
    let brokerToken = t.token(brokerClient);
    const progress = async () => (await learnerAs(brokerToken, learner.id, 'enrolments { id progressPercent }')).data?.learner?.enrolments?.[0]?.progressPercent;
    expect(await progress()).toBe(40);

    // The API host's clock runs an hour ahead of the database's (tokens are minted on the host's clock).
    jest.useFakeTimers({ now: Date.now() + 3_600_000, doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'hrtime', 'performance'] });
    try {
      brokerToken = t.token(brokerClient);
      const staff = t.token(staffClaims(provider.id));
      const revoked = await t.gql(staff, `mutation($id: ID!) { revokeBrokerMandate(id: $id) { revokedAt } }`, { id: mandate.id });
      expect(revoked.errors).toBeUndefined();
      const [{ now }] = await t.db.query(`SELECT now() AS now`);
      expect(new Date(revoked.data.revokeBrokerMandate.revokedAt).getTime()).toBeLessThanOrEqual(new Date(now).getTime());
      // The revocation holds from the next request on: the learner it gave sight of is gone for the broker.
      expect(await progress()).toBeUndefined();

      const before = await t.db.query(`SELECT now() AS now`);
      const employerToken = await tokenOf(employer);
      expect((await learnerAs(employerToken, learner.id, 'enrolments { progressPercent }')).data.learner.enrolments[0].progressPercent).toBe(40);
      const [entry] = await t.db.query(`SELECT disclosed_at FROM disclosures WHERE learner_id = $1 AND recipient_id = $2 ORDER BY disclosed_at DESC LIMIT 1`, [learner.id, employer.id]);
      const [after] = await t.db.query(`SELECT now() AS now`);
      expect(new Date(entry.disclosed_at).getTime()).toBeGreaterThanOrEqual(new Date(before[0].now).getTime() - 1);
      expect(new Date(entry.disclosed_at).getTime()).toBeLessThanOrEqual(new Date(after.now).getTime());
      void enrolment;
    } finally {
      jest.useRealTimers();
    }
  });

  it('reasons come only from agreements whose scope includes the learner; a withdrawn consent adds none (rules 10, 11)', async () => {
    const employer = await w.organisation('EMPLOYER');
    const learner = await w.learner(); // never employed here
    const course = await w.course();
    const enrolment = await w.enrolment(learner.id, course.id, provider.id, { progressPercent: 10 });
    await w.agreement({ recipientId: employer.id, basis: 'PROCESSOR', categories: ['PROGRESS', 'COMPLETION'] });
    await w.agreement({ recipientId: employer.id, basis: 'STUDY_CONTRACT', categories: ['COMPLETION'], learnerId: learner.id });
    await w.agreement({ recipientId: employer.id, basis: 'CONSENT', categories: ['TIME_SPENT'], learnerId: learner.id, revokedAt: new Date(Date.now() - DAY) });
    const hr = await tokenOf(employer);
    const res = await learnerAs(hr, learner.id, 'enrolments { id withheld { field reason } }');
    const withheld = Object.fromEntries(res.data.learner.enrolments[0].withheld.map((x: { field: string; reason: string }) => [x.field, x.reason]));
    // The employee-wide processing agreement says nothing about a non-employee (no NOT_SPONSOR, no NO_EMPLOYMENT).
    expect(withheld.progressPercent).toBe('NO_AGREEMENT');
    // The withdrawn consent reads as if never given.
    expect(withheld.timeSpentMinutes).toBe('NO_AGREEMENT');
    const explain = await t.gql(hr, `query($l: ID!, $e: ID!) { explainDisclosure(learnerId: $l, enrolmentId: $e, category: TIME_SPENT) { reasons } }`, { l: learner.id, e: enrolment.id });
    expect(explain.data.explainDisclosure.reasons).toEqual(['NO_AGREEMENT']);
  });

  it('explain lists every reason: an ended employment and one not started yet give both', async () => {
    const employer = await w.organisation('EMPLOYER');
    const learner = await w.learner();
    await w.employment(learner.id, employer.id, { startedOn: day(-400), endedOn: day(-30) });
    await w.employment(learner.id, employer.id, { startedOn: day(30) });
    const course = await w.course();
    const enrolment = await w.enrolment(learner.id, course.id, provider.id, { sponsorEmployerId: employer.id });
    await w.agreement({ recipientId: employer.id, basis: 'PROCESSOR', categories: ['PROGRESS'] });
    const res = await t.gql(staff, `query($l: ID!, $e: ID!, $r: ID) { explainDisclosure(learnerId: $l, enrolmentId: $e, category: PROGRESS, recipientId: $r) { reasons } }`, {
      l: learner.id,
      e: enrolment.id,
      r: employer.id,
    });
    expect(res.data.explainDisclosure.reasons).toEqual(['EMPLOYMENT_ENDED', 'NO_EMPLOYMENT']);
  });

  it('updatedSince is not moved by a change in a category the caller may not see, and a change it selects by is ledgered (rule 12)', async () => {
    const employer = await w.organisation('EMPLOYER');
    const learner = await w.learner();
    await w.employment(learner.id, employer.id);
    const course = await w.course();
    const enrolment = await w.enrolment(learner.id, course.id, provider.id, { sponsorEmployerId: employer.id, status: 'IN_PROGRESS', startedAt: new Date(Date.now() - DAY) });
    await w.agreement({ recipientId: employer.id, basis: 'PROCESSOR', categories: ['PROGRESS'] });
    const hr = await tokenOf(employer);
    const sync = async (since: string) =>
      (await t.gql(hr, `query($s: DateTime!) { learners(first: 10, updatedSince: $s) { nodes { id } } }`, { s: since })).data.learners.nodes.map((n: { id: string }) => n.id);

    const [{ now: before }] = await t.db.query(`SELECT now() AS now`);
    const recorded = await t.gql(staff, `mutation($i: RecordAssessmentResultInput!) { recordAssessmentResult(input: $i) { id } }`, {
      i: { enrolmentId: enrolment.id, assessmentName: 'Exam', attemptedAt: new Date().toISOString(), score: 7, maxScore: 10, passed: true },
    });
    expect(recorded.errors).toBeUndefined();
    // ASSESSMENT_RESULTS is not shared: its change selects nothing, so no binary search can time it.
    expect(await sync(new Date(before).toISOString())).toEqual([]);

    // A certificate without accreditation points changes CERTIFICATES (not shared), not ACCREDITATION.
    await w.agreement({ recipientId: employer.id, basis: 'PROCESSOR', categories: ['ACCREDITATION'] });
    const issued = await t.gql(staff, `mutation($i: IssueCertificateInput!) { issueCertificate(input: $i) { id } }`, {
      i: { enrolmentId: enrolment.id, number: `CC-${process.pid}-${Date.now()}`, issuedAt: new Date().toISOString() },
    });
    expect(issued.errors).toBeUndefined();
    expect(await sync(new Date(before).toISOString())).toEqual([]);

    const progressed = await t.gql(staff, `mutation($id: ID!) { recordProgress(id: $id, input: { progressPercent: 55 }) { id } }`, { id: enrolment.id });
    expect(progressed.errors).toBeUndefined();
    expect(await sync(new Date(before).toISOString())).toEqual([learner.id]);
    const entries = await t.db.query(`SELECT content FROM disclosures WHERE learner_id = $1 AND recipient_id = $2`, [learner.id, employer.id]);
    expect(entries.length).toBeGreaterThan(0);
    expect(JSON.parse(entries.at(-1).content).items[0].grants[0].categories).toEqual(['PROGRESS']);
  });

  it('status reads STARTED without COMPLETION, and a status filter selects no more than the caller may see (rule 16)', async () => {
    const employer = await w.organisation('EMPLOYER');
    const learner = await w.learner();
    await w.employment(learner.id, employer.id);
    const course = await w.course();
    await w.enrolment(learner.id, course.id, provider.id, { sponsorEmployerId: employer.id, status: 'COMPLETED', startedAt: new Date(Date.now() - 9 * DAY), completedAt: new Date(Date.now() - DAY) });
    await w.agreement({ recipientId: employer.id, basis: 'PROCESSOR', categories: ['ENROLMENT_STATUS'] });
    const hr = await tokenOf(employer);
    const res = await learnerAs(hr, learner.id, 'enrolments { status completed }');
    expect(res.data.learner.enrolments[0]).toEqual({ status: 'STARTED', completed: null });
    const byStatus = async (status: string) =>
      (await t.gql(hr, `query($s: EnrolmentStatus) { learners(first: 10, status: $s) { nodes { id } } }`, { s: status })).data.learners.nodes.length;
    expect(await byStatus('COMPLETED')).toBe(0);
    expect(await byStatus('IN_PROGRESS')).toBe(0);
    expect(await byStatus('STARTED')).toBe(1);

    // With COMPLETION too, the real status shows.
    await w.agreement({ recipientId: employer.id, basis: 'PROCESSOR', categories: ['COMPLETION'] });
    expect((await learnerAs(hr, learner.id, 'enrolments { status }')).data.learner.enrolments[0].status).toBe('COMPLETED');
    expect(await byStatus('COMPLETED')).toBe(1);
  });

  it('a learner\'s consent to their employer does not flow on to the employer\'s broker (rule 10)', async () => {
    const employer = await w.organisation('EMPLOYER');
    const broker = await w.organisation('BROKER');
    const learner = await w.learner();
    const course = await w.course();
    await w.enrolment(learner.id, course.id, broker.id, { sponsorEmployerId: employer.id, progressPercent: 70 });
    await w.mandate(broker.id, employer.id, { categories: ['PROGRESS'] });
    await w.agreement({ recipientId: employer.id, basis: 'CONSENT', categories: ['PROGRESS'], learnerId: learner.id });
    const res = await learnerAs(await tokenOf(broker), learner.id, 'enrolments { progressPercent withheld { field reason } }');
    expect(res.data.learner.enrolments[0].progressPercent).toBeNull();
    expect(res.data.learner.enrolments[0].withheld).toContainEqual({ field: 'progressPercent', reason: 'NO_AGREEMENT' });
    // The employer itself still reads under the consent it was given.
    expect((await learnerAs(await tokenOf(employer), learner.id, 'enrolments { progressPercent }')).data.learner.enrolments[0].progressPercent).toBe(70);
  });

  it('an objection against an agreement that does not concern the learner answers exactly like an unknown id', async () => {
    const employer = await w.organisation('EMPLOYER');
    const learner = await w.learner(); // never employed there
    const foreign = await w.agreement({ recipientId: employer.id, basis: 'LEGITIMATE_INTEREST', categories: ['COMPLETION'] });
    const other = await w.learner();
    const otherContract = await w.agreement({ recipientId: employer.id, basis: 'STUDY_CONTRACT', categories: ['COMPLETION'], learnerId: other.id });
    const token = t.token({ sub: learner.id, kind: 'LEARNER' });
    const object = (agreementId: string) => t.gql(token, `mutation($a: ID!) { objectToLegitimateInterest(agreementId: $a) { id } }`, { a: agreementId });
    const unknown = await object('8f0e2a64-4d1b-4c55-9d0e-0a6f7f1c2b3d');
    for (const id of [foreign.agreementId, otherContract.agreementId]) {
      const res = await object(id);
      expect(res.errors?.[0]).toEqual(unknown.errors?.[0]);
    }
    expect(await t.db.query(`SELECT 1 FROM objections WHERE learner_id = $1`, [learner.id])).toEqual([]);
  });

  it('the learner is told when a new employment brings them under a legitimate interest, and when an agreement widens', async () => {
    const employer = await w.organisation('EMPLOYER');
    const li = await w.agreement({ recipientId: employer.id, basis: 'LEGITIMATE_INTEREST', categories: ['COMPLETION'] });
    const learner = await w.learner();
    const told = async (kind: string) => (await t.db.query(`SELECT payload FROM notifications WHERE learner_id = $1 AND kind = $2`, [learner.id, kind])).map((r: { payload: unknown }) => r.payload);

    const employed = await t.gql(staff, `mutation($i: CreateEmploymentInput!) { createEmployment(input: $i) { id } }`, {
      i: { learnerId: learner.id, employerId: employer.id, employeeNumber: `EMP-new-${process.pid}`, startedOn: day(-1) },
    });
    expect(employed.errors).toBeUndefined();
    expect(await told('AGREEMENT_COVERS_YOU')).toEqual([{ recipientId: employer.id, basis: 'LEGITIMATE_INTEREST', agreementId: li.agreementId }]);

    // Narrowing tells nobody; widening tells every learner it now covers.
    const change = (categories: string[]) =>
      t.gql(staff, `mutation($a: ID!, $c: [DisclosureCategory!]) { changeSharingAgreement(agreementId: $a, input: { categories: $c }) { version } }`, { a: li.agreementId, c: categories });
    expect((await change(['COMPLETION', 'CERTIFICATES'])).errors).toBeUndefined();
    expect(await told('AGREEMENT_COVERS_YOU')).toHaveLength(2);
    expect((await change(['CERTIFICATES'])).errors).toBeUndefined();
    expect(await told('AGREEMENT_COVERS_YOU')).toHaveLength(2);
  });

  it('enrolLearners answers a person with an account of their own exactly like a new one, and the claim opens none of their own courses', async () => {
    const employer = await w.organisation('EMPLOYER', 'Zorggroep Claim');
    const course = await w.course();
    const ownCourse = await w.course();
    // The employer may see completion of every course of its employees (legitimate interest).
    await w.agreement({ recipientId: employer.id, basis: 'LEGITIMATE_INTEREST', categories: ['COMPLETION'] });
    await w.agreement({ recipientId: employer.id, basis: 'PROCESSOR', categories: ['PROGRESS'] });
    const existing = await w.learner({ name: 'Real Name On Account' });
    await w.enrolment(existing.id, ownCourse.id, provider.id, { status: 'COMPLETED', completedAt: new Date(Date.now() - DAY), startedAt: new Date(Date.now() - 9 * DAY) });
    const hr = await tokenOf(employer);
    const n = `${process.pid}-${Date.now()}`;
    const rows = [
      { email: existing.email, name: 'Given Name', employeeNumber: `C-1-${n}`, courseCode: course.code, startDate: day(7) },
      { email: `brand.new.${n}@example.test`, name: 'Other Given', employeeNumber: `C-2-${n}`, courseCode: course.code, startDate: day(7) },
    ];
    const res = await t.gql(hr, `mutation($i: EnrolLearnersInput!) { enrolLearners(input: $i) { outcomes { outcome errors { field } } } }`, {
      i: { idempotencyKey: `claim-${n}`, rows },
    });
    expect(res.errors).toBeUndefined();
    const [a, b] = res.data.enrolLearners.outcomes;
    expect(a).toEqual(b);
    expect(a).toEqual({ outcome: 'CREATED', errors: [] });

    // What the employer then reads of each has the same shape: what it supplied and what it commissioned.
    const nodes = (await t.gql(hr, `{ learners(first: 50) { nodes { name employeeNumber enrolments { course { id } progressPercent completed } } } }`)).data.learners.nodes;
    const shapeOf = (name: string) => nodes.find((x: { name: string }) => x.name === name);
    expect(shapeOf('Real Name On Account')).toBeUndefined();
    const claimed = shapeOf('Given Name');
    const fresh = shapeOf('Other Given');
    expect(claimed.enrolments).toEqual([{ course: { id: course.id }, progressPercent: 0, completed: false }]);
    expect(fresh.enrolments).toEqual(claimed.enrolments);
    expect([claimed.employeeNumber, fresh.employeeNumber]).toEqual([`C-1-${n}`, `C-2-${n}`]);

    // Once staff confirm the employment, the person is the employer's employee like any other.
    const [claim] = await t.db.query(`SELECT id FROM employments WHERE learner_id = $1 AND employer_id = $2`, [existing.id, employer.id]);
    const confirmed = await t.gql(staff, `mutation($id: ID!) { confirmEmployment(id: $id) { claimedName } }`, { id: claim.id });
    expect(confirmed.data.confirmEmployment).toEqual({ claimedName: null });
    const after = (await t.gql(hr, `{ learners(first: 50) { nodes { name enrolments { course { id } completed } } } }`)).data.learners.nodes;
    const person = after.find((x: { name: string }) => x.name === 'Real Name On Account');
    expect(person.enrolments).toContainEqual({ course: { id: ownCourse.id }, completed: true });
  });
});
