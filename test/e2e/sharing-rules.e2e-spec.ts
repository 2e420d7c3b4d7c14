import type { DisclosureCategory } from '../../src/common/disclosure-category';
import { staffClaims, world } from '../factories/world';
import { createTestApp, type TestApp } from '../utils/test-app';

/**
 * The sharing rules (docs/sharing-rules.md), one readable scenario per row and per reason code, over HTTP.
 */
const DAY = 86_400_000;
const ENROLMENT = `id status progressPercent timeSpentMinutes completed completedAt certificates { number } accreditationPointsEarned assessmentResults { score } withheld { field reason }`;

describe('sharing rules', () => {
  let t: TestApp;
  let w: ReturnType<typeof world>;
  let providerId: string;
  let staff: string;

  beforeAll(async () => {
    t = await createTestApp();
    w = world(t.db);
    providerId = (await w.organisation('PROVIDER')).id;
    staff = t.token(staffClaims(providerId));
  });
  afterAll(() => t.close());

  const dateOnly = (ms: number) => new Date(Date.now() + ms).toISOString().slice(0, 10);

  /** An employer with an HR-portal token, and one employee enrolled on a course the employer sponsors. */
  async function scene(opts: { employment?: 'active' | 'ended' | 'future' | 'none'; sponsored?: boolean } = {}) {
    const employer = await w.organisation('EMPLOYER');
    const learner = await w.learner();
    const employment = opts.employment ?? 'active';
    if (employment === 'active') await w.employment(learner.id, employer.id, { startedOn: dateOnly(-400 * DAY) });
    if (employment === 'ended') await w.employment(learner.id, employer.id, { startedOn: dateOnly(-400 * DAY), endedOn: dateOnly(-10 * DAY) });
    if (employment === 'future') await w.employment(learner.id, employer.id, { startedOn: dateOnly(30 * DAY) });
    const course = await w.course({ accreditationPoints: 4 });
    const enrolment = await w.enrolment(learner.id, course.id, providerId, {
      sponsorEmployerId: opts.sponsored === false ? null : employer.id,
      status: 'COMPLETED',
      progressPercent: 100,
      timeSpentMinutes: 300,
      startedAt: new Date(Date.now() - 30 * DAY),
      completedAt: new Date(Date.now() - 5 * DAY),
    });
    await w.result(enrolment.id, { score: 81 });
    await w.certificate(enrolment.id, { accreditationPoints: 4 });
    const hr = t.token((await w.apiClient(employer)).claims);
    const learnerToken = t.token({ sub: learner.id, kind: 'LEARNER' });
    return { employer, learner, course, enrolment, hr, learnerToken };
  }

  async function enrolmentAs(token: string, learnerId: string, enrolmentId: string) {
    const res = await t.gql(token, `query($id: ID!) { learner(id: $id) { id enrolments { ${ENROLMENT} } } }`, { id: learnerId });
    expect(res.errors).toBeUndefined();
    return (res.data.learner.enrolments as { id: string }[]).find((e) => e.id === enrolmentId) as any;
  }

  async function explain(token: string, learnerId: string, enrolmentId: string, category: DisclosureCategory, recipientId?: string) {
    const res = await t.gql(
      token,
      `query($l: ID!, $e: ID!, $c: DisclosureCategory!, $r: ID) { explainDisclosure(learnerId: $l, enrolmentId: $e, category: $c, recipientId: $r) { allowed basis agreementId agreementVersion onBehalfOfId reasons } }`,
      { l: learnerId, e: enrolmentId, c: category, r: recipientId },
    );
    expect(res.errors).toBeUndefined();
    return res.data.explainDisclosure;
  }

  const reasonOf = (e: { withheld: { field: string; reason: string }[] }, field: string) => e.withheld.find((x) => x.field === field)?.reason;

  async function createAgreement(token: string, input: Record<string, unknown>) {
    const res = await t.gql(token, `mutation($i: CreateSharingAgreementInput!) { createSharingAgreement(input: $i) { id agreementId version basis } }`, {
      i: { validFrom: new Date(Date.now() - DAY).toISOString(), reference: 'ref', ...input },
    });
    return res;
  }

  describe('PROCESSOR: all employees, only enrolments the employer sponsors, employment active', () => {
    it('shares the categories of the processing agreement on sponsored enrolments, nothing else', async () => {
      const s = await scene();
      const created = await createAgreement(staff, { recipientId: s.employer.id, basis: 'PROCESSOR', categories: ['PROGRESS', 'COMPLETION'] });
      expect(created.errors).toBeUndefined();
      const e = await enrolmentAs(s.hr, s.learner.id, s.enrolment.id);
      expect(e).toMatchObject({ progressPercent: 100, completed: true, status: null, timeSpentMinutes: null, assessmentResults: null, certificates: null });
      expect(reasonOf(e, 'status')).toBe('NO_AGREEMENT');
      expect(reasonOf(e, 'progressPercent')).toBeUndefined();
      expect((await explain(s.hr, s.learner.id, s.enrolment.id, 'PROGRESS')).basis).toBe('PROCESSOR');
    });

    it('NOT_SPONSOR: an enrolment the employer did not commission', async () => {
      const s = await scene({ sponsored: false });
      await createAgreement(staff, { recipientId: s.employer.id, basis: 'PROCESSOR', categories: ['PROGRESS'] });
      await createAgreement(staff, { recipientId: s.employer.id, basis: 'LEGITIMATE_INTEREST', categories: ['COMPLETION'] });
      const e = await enrolmentAs(s.hr, s.learner.id, s.enrolment.id); // listed through the legitimate interest
      expect(e.completed).toBe(true);
      expect(e.progressPercent).toBeNull();
      expect(reasonOf(e, 'progressPercent')).toBe('NOT_SPONSOR');
    });

    it('EMPLOYMENT_ENDED: the end of employment stops it', async () => {
      const s = await scene({ employment: 'ended' });
      await createAgreement(staff, { recipientId: s.employer.id, basis: 'PROCESSOR', categories: ['PROGRESS'] });
      const e = await enrolmentAs(s.hr, s.learner.id, s.enrolment.id);
      expect(e.progressPercent).toBeNull();
      expect(reasonOf(e, 'progressPercent')).toBe('EMPLOYMENT_ENDED');
    });
  });

  describe('LEGITIMATE_INTEREST: minimised categories, stopped by an objection', () => {
    it('refuses categories beyond ENROLMENT_STATUS, COMPLETION, CERTIFICATES, and writes nothing', async () => {
      const s = await scene();
      const before = (await t.db.query(`SELECT count(*)::int AS n FROM sharing_agreements`))[0].n;
      const res = await createAgreement(staff, { recipientId: s.employer.id, basis: 'LEGITIMATE_INTEREST', categories: ['COMPLETION', 'ASSESSMENT_RESULTS'] });
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.categories' });
      expect((await t.db.query(`SELECT count(*)::int AS n FROM sharing_agreements`))[0].n).toBe(before);
    });

    it('NO_EMPLOYMENT: an employment that has not started yet', async () => {
      const s = await scene({ employment: 'future' });
      await createAgreement(staff, { recipientId: s.employer.id, basis: 'LEGITIMATE_INTEREST', categories: ['COMPLETION'] });
      const e = await enrolmentAs(s.hr, s.learner.id, s.enrolment.id);
      expect(e.completed).toBeNull();
      expect(reasonOf(e, 'completed')).toBe('NO_EMPLOYMENT');
    });

    it('OBJECTION: stops this and later legitimate-interest agreements of that employer, not other bases; the employer reads NOT_SHARED', async () => {
      const s = await scene();
      const li = await createAgreement(staff, { recipientId: s.employer.id, basis: 'LEGITIMATE_INTEREST', categories: ['COMPLETION'] });
      await createAgreement(staff, { recipientId: s.employer.id, basis: 'PROCESSOR', categories: ['PROGRESS'] });
      const objected = await t.gql(s.learnerToken, `mutation($a: ID!) { objectToLegitimateInterest(agreementId: $a, grounds: "private") { id recipientId } }`, {
        a: li.data.createSharingAgreement.agreementId,
      });
      expect(objected.data.objectToLegitimateInterest.recipientId).toBe(s.employer.id);
      await createAgreement(staff, { recipientId: s.employer.id, basis: 'LEGITIMATE_INTEREST', categories: ['COMPLETION', 'CERTIFICATES'] });

      const e = await enrolmentAs(s.hr, s.learner.id, s.enrolment.id);
      expect(e.completed).toBeNull();
      expect(e.certificates).toBeNull();
      expect(reasonOf(e, 'completed')).toBe('NOT_SHARED');
      expect(e.progressPercent).toBe(100); // the processor agreement is unaffected
      expect((await explain(s.hr, s.learner.id, s.enrolment.id, 'COMPLETION')).reasons).toEqual(['NOT_SHARED']);
      expect((await explain(s.learnerToken, s.learner.id, s.enrolment.id, 'COMPLETION', s.employer.id)).reasons).toEqual(['OBJECTION']);

      await t.gql(s.learnerToken, `mutation($o: ID!) { liftObjection(objectionId: $o) { liftedAt } }`, { o: objected.data.objectToLegitimateInterest.id });
      expect((await enrolmentAs(s.hr, s.learner.id, s.enrolment.id)).completed).toBe(true);
    });

    it('an objection to an agreement that is not legitimate interest, or does not cover the learner, is refused', async () => {
      const s = await scene();
      const other = await scene();
      const processor = await createAgreement(staff, { recipientId: s.employer.id, basis: 'PROCESSOR', categories: ['PROGRESS'] });
      const li = await createAgreement(staff, { recipientId: other.employer.id, basis: 'LEGITIMATE_INTEREST', categories: ['COMPLETION'] });
      for (const a of [processor, li]) {
        const res = await t.gql(s.learnerToken, `mutation($a: ID!) { objectToLegitimateInterest(agreementId: $a) { id } }`, { a: a.data.createSharingAgreement.agreementId });
        expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'agreementId' });
      }
      expect((await t.db.query(`SELECT count(*)::int AS n FROM objections WHERE learner_id = $1`, [s.learner.id]))[0].n).toBe(0);
    });
  });

  describe('STUDY_CONTRACT: one learner, survives the end of employment until validUntil', () => {
    it('the employer records it for its own employee; it keeps sharing after employment ends, until it expires', async () => {
      const s = await scene({ employment: 'ended' });
      const created = await createAgreement(s.hr, {
        recipientId: s.employer.id,
        basis: 'STUDY_CONTRACT',
        learnerId: s.learner.id,
        courseIds: [s.course.id],
        categories: ['COMPLETION', 'ACCREDITATION'],
        validUntil: new Date(Date.now() + 300 * DAY).toISOString(),
      });
      expect(created.errors).toBeUndefined();
      const e = await enrolmentAs(s.hr, s.learner.id, s.enrolment.id);
      expect(e).toMatchObject({ completed: true, accreditationPointsEarned: 4 });

      await t.db.query(`UPDATE sharing_agreements SET valid_from = now() - interval '400 days', valid_until = now() - interval '1 day' WHERE agreement_id = $1`, [created.data.createSharingAgreement.agreementId]);
      const expired = await enrolmentAs(s.hr, s.learner.id, s.enrolment.id);
      expect(expired.completed).toBeNull();
      expect(reasonOf(expired, 'completed')).toBe('AGREEMENT_EXPIRED');
    });

    it('an employer cannot name a learner it has no employment record for (answers like an unknown learner)', async () => {
      const s = await scene();
      const stranger = await w.learner();
      const res = await createAgreement(s.hr, { recipientId: s.employer.id, basis: 'STUDY_CONTRACT', learnerId: stranger.id, categories: ['COMPLETION'] });
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.learnerId' });
      expect(res.errors?.[0].message).toMatch(/no such learner/);
    });
  });

  describe('CONSENT: by the learner only, withdrawable at once', () => {
    it('consent makes a learner visible without employment; withdrawal stops it for the next request', async () => {
      const s = await scene({ employment: 'none', sponsored: false });
      const consent = await t.gql(s.learnerToken, `mutation($i: GrantConsentInput!) { grantConsent(input: $i) { agreementId basis reference } }`, {
        i: { recipientId: s.employer.id, categories: ['PROGRESS', 'TIME_SPENT'], consentTextVersion: '2026-01' },
      });
      expect(consent.data.grantConsent).toMatchObject({ basis: 'CONSENT', reference: 'consent-text:2026-01' });
      const e = await enrolmentAs(s.hr, s.learner.id, s.enrolment.id);
      expect(e).toMatchObject({ progressPercent: 100, timeSpentMinutes: 300, completed: null });

      await t.gql(s.learnerToken, `mutation($a: ID!) { withdrawConsent(agreementId: $a) { revokedAt } }`, { a: consent.data.grantConsent.agreementId });
      const after = await t.gql(s.hr, `query($id: ID!) { learner(id: $id) { id } }`, { id: s.learner.id });
      expect(after.errors?.[0].extensions.code).toBe('NOT_FOUND'); // no relation left at all
    });

    it('a withdrawn consent is, to its recipient, as if never given (NO_AGREEMENT); the learner and staff see CONSENT_WITHDRAWN', async () => {
      const s = await scene({ employment: 'ended' });
      const consent = await t.gql(s.learnerToken, `mutation($i: GrantConsentInput!) { grantConsent(input: $i) { agreementId } }`, {
        i: { recipientId: s.employer.id, categories: ['PROGRESS'], consentTextVersion: '2026-01' },
      });
      expect((await enrolmentAs(s.hr, s.learner.id, s.enrolment.id)).progressPercent).toBe(100);
      await t.gql(s.learnerToken, `mutation($a: ID!) { withdrawConsent(agreementId: $a) { revokedAt } }`, { a: consent.data.grantConsent.agreementId });
      const e = await enrolmentAs(s.hr, s.learner.id, s.enrolment.id);
      expect(e.progressPercent).toBeNull();
      expect(reasonOf(e, 'progressPercent')).toBe('NO_AGREEMENT');
      expect((await explain(s.hr, s.learner.id, s.enrolment.id, 'PROGRESS')).reasons).toEqual(['NO_AGREEMENT']);
      expect((await explain(s.learnerToken, s.learner.id, s.enrolment.id, 'PROGRESS', s.employer.id)).reasons).toEqual(['CONSENT_WITHDRAWN']);
      expect((await explain(staff, s.learner.id, s.enrolment.id, 'PROGRESS', s.employer.id)).reasons).toEqual(['CONSENT_WITHDRAWN']);
      // nor does the employer's list of agreements give the withdrawal away
      const listed = await t.gql(s.hr, `{ sharingAgreements(includeHistory: true) { agreementId revokedAt } }`);
      expect(listed.data.sharingAgreements.map((a: { agreementId: string }) => a.agreementId)).not.toContain(consent.data.grantConsent.agreementId);
    });

    it('provider staff and employers cannot create consent; a learner cannot withdraw another learner\'s consent', async () => {
      const s = await scene();
      const res = await createAgreement(staff, { recipientId: s.employer.id, basis: 'CONSENT', learnerId: s.learner.id, categories: ['PROGRESS'] });
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.basis' });
      const consent = await t.gql(s.learnerToken, `mutation($i: GrantConsentInput!) { grantConsent(input: $i) { agreementId } }`, {
        i: { recipientId: s.employer.id, categories: ['PROGRESS'], consentTextVersion: 'v1' },
      });
      const rewrite = await t.gql(staff, `mutation($a: ID!) { changeSharingAgreement(agreementId: $a, input: { categories: [PROGRESS, ASSESSMENT_RESULTS] }) { id } }`, {
        a: consent.data.grantConsent.agreementId,
      });
      expect(rewrite.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'agreementId' });
      const other = t.token({ sub: (await w.learner()).id, kind: 'LEARNER' });
      const steal = await t.gql(other, `mutation($a: ID!) { withdrawConsent(agreementId: $a) { id } }`, { a: consent.data.grantConsent.agreementId });
      expect(steal.errors?.[0].extensions.code).toBe('NOT_FOUND');
    });

    it('a consent for an unknown recipient, or ending before it starts, is refused and nothing is written', async () => {
      const s = await scene();
      const before = (await t.db.query(`SELECT count(*)::int AS n FROM sharing_agreements`))[0].n;
      const unknown = await t.gql(s.learnerToken, `mutation($i: GrantConsentInput!) { grantConsent(input: $i) { id } }`, {
        i: { recipientId: '00000000-0000-4000-8000-00000000beef', categories: ['PROGRESS'], consentTextVersion: 'v1' },
      });
      expect(unknown.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.recipientId' });
      const past = await t.gql(s.learnerToken, `mutation($i: GrantConsentInput!) { grantConsent(input: $i) { id } }`, {
        i: { recipientId: s.employer.id, categories: ['PROGRESS'], consentTextVersion: 'v1', validUntil: '2020-01-01T00:00:00Z' },
      });
      expect(past.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.validUntil' });
      expect((await t.db.query(`SELECT count(*)::int AS n FROM sharing_agreements`))[0].n).toBe(before);
    });
  });

  describe('common conditions', () => {
    it('AGREEMENT_NOT_YET_VALID and AGREEMENT_REVOKED', async () => {
      const s = await scene();
      await createAgreement(staff, { recipientId: s.employer.id, basis: 'PROCESSOR', categories: ['PROGRESS'], validFrom: new Date(Date.now() + 5 * DAY).toISOString() });
      expect(reasonOf(await enrolmentAs(s.hr, s.learner.id, s.enrolment.id), 'progressPercent')).toBe('AGREEMENT_NOT_YET_VALID');
      const s2 = await scene();
      const a = await createAgreement(staff, { recipientId: s2.employer.id, basis: 'PROCESSOR', categories: ['PROGRESS'] });
      await t.gql(staff, `mutation($a: ID!) { revokeSharingAgreement(agreementId: $a) { revokedAt } }`, { a: a.data.createSharingAgreement.agreementId });
      expect(reasonOf(await enrolmentAs(s2.hr, s2.learner.id, s2.enrolment.id), 'progressPercent')).toBe('AGREEMENT_REVOKED');
    });

    it('RESTRICTED stops every basis until lifted; the employer reads NOT_SHARED', async () => {
      const s = await scene();
      await createAgreement(staff, { recipientId: s.employer.id, basis: 'PROCESSOR', categories: ['PROGRESS'] });
      await t.gql(s.learnerToken, `mutation { requestRestriction(reason: "disputed") { id } }`);
      const e = await enrolmentAs(s.hr, s.learner.id, s.enrolment.id);
      expect(e.progressPercent).toBeNull();
      expect(reasonOf(e, 'progressPercent')).toBe('NOT_SHARED');
      expect((await explain(staff, s.learner.id, s.enrolment.id, 'PROGRESS', s.employer.id)).reasons).toContain('RESTRICTED');
      await t.gql(s.learnerToken, `mutation { liftRestriction { liftedAt } }`);
      expect((await enrolmentAs(s.hr, s.learner.id, s.enrolment.id)).progressPercent).toBe(100);
    });

    it('ERASED: an erased learner is invisible to every recipient, exactly like an unknown id; staff see ERASED', async () => {
      const s = await scene();
      await createAgreement(staff, { recipientId: s.employer.id, basis: 'PROCESSOR', categories: ['PROGRESS'] });
      await t.db.query(`UPDATE learners SET erased_at = now() WHERE id = $1`, [s.learner.id]);
      const erased = await t.gql(s.hr, `query($id: ID!) { learner(id: $id) { id } }`, { id: s.learner.id });
      const unknown = await t.gql(s.hr, `query($id: ID!) { learner(id: $id) { id } }`, { id: '6c0f9d52-8a4e-4e58-9b1c-3f1d2a7e9c10' });
      expect(erased.errors?.[0].message).toBe(unknown.errors?.[0].message);
      expect(erased.errors?.[0].extensions.code).toBe('NOT_FOUND');
      const list = await t.gql(s.hr, `{ learners(first: 500) { nodes { id } } }`);
      expect(list.data.learners.nodes.map((n: { id: string }) => n.id)).not.toContain(s.learner.id);
      expect((await explain(staff, s.learner.id, s.enrolment.id, 'PROGRESS', s.employer.id)).reasons).toContain('ERASED');
    });

    it('a change makes a new version; the old one stays readable and the new one is the one in force', async () => {
      const s = await scene();
      const a = await createAgreement(staff, { recipientId: s.employer.id, basis: 'PROCESSOR', categories: ['PROGRESS'] });
      const changed = await t.gql(staff, `mutation($a: ID!) { changeSharingAgreement(agreementId: $a, input: { categories: [PROGRESS, TIME_SPENT] }) { id version } }`, {
        a: a.data.createSharingAgreement.agreementId,
      });
      expect(changed.data.changeSharingAgreement.version).toBe(2);
      const why = await explain(s.hr, s.learner.id, s.enrolment.id, 'TIME_SPENT');
      expect(why).toMatchObject({ allowed: true, agreementVersion: 2 });
      const versions = await t.gql(staff, `query($r: ID) { sharingAgreements(recipientId: $r, includeHistory: true) { version supersededAt categories } }`, { r: s.employer.id });
      expect(versions.data.sharingAgreements).toHaveLength(2);
      expect(versions.data.sharingAgreements[0]).toMatchObject({ version: 1, categories: ['PROGRESS'] });
      expect(versions.data.sharingAgreements[0].supersededAt).not.toBeNull();
    });

    it('several agreements: PROCESSOR, then STUDY_CONTRACT, then LEGITIMATE_INTEREST, then CONSENT, then the oldest', async () => {
      const s = await scene();
      await t.gql(s.learnerToken, `mutation($i: GrantConsentInput!) { grantConsent(input: $i) { id } }`, { i: { recipientId: s.employer.id, categories: ['COMPLETION'], consentTextVersion: 'v1' } });
      expect((await explain(s.hr, s.learner.id, s.enrolment.id, 'COMPLETION')).basis).toBe('CONSENT');
      const li1 = await createAgreement(staff, { recipientId: s.employer.id, basis: 'LEGITIMATE_INTEREST', categories: ['COMPLETION'] });
      await createAgreement(staff, { recipientId: s.employer.id, basis: 'LEGITIMATE_INTEREST', categories: ['COMPLETION'] });
      expect(await explain(s.hr, s.learner.id, s.enrolment.id, 'COMPLETION')).toMatchObject({ basis: 'LEGITIMATE_INTEREST', agreementId: li1.data.createSharingAgreement.agreementId });
      await createAgreement(staff, { recipientId: s.employer.id, basis: 'STUDY_CONTRACT', learnerId: s.learner.id, categories: ['COMPLETION'] });
      expect((await explain(s.hr, s.learner.id, s.enrolment.id, 'COMPLETION')).basis).toBe('STUDY_CONTRACT');
      await createAgreement(staff, { recipientId: s.employer.id, basis: 'PROCESSOR', categories: ['COMPLETION'] });
      expect((await explain(s.hr, s.learner.id, s.enrolment.id, 'COMPLETION')).basis).toBe('PROCESSOR');
    });
  });

  describe('brokers', () => {
    it("through a mandate with VIEW_RESULTS: the employer's view intersected with the mandate's categories, on behalf of the employer", async () => {
      const s = await scene();
      const broker = await w.organisation('BROKER');
      await w.mandate(broker.id, s.employer.id, { categories: ['PROGRESS', 'COMPLETION'] });
      // the broker enrolled the learner for the employer: that makes the learner visible to it
      const brokered = await w.enrolment(s.learner.id, (await w.course()).id, broker.id, { sponsorEmployerId: s.employer.id, progressPercent: 55, status: 'IN_PROGRESS' });
      await createAgreement(staff, { recipientId: s.employer.id, basis: 'PROCESSOR', categories: ['PROGRESS', 'TIME_SPENT'] });
      const token = t.token((await w.apiClient(broker)).claims);
      const e = await enrolmentAs(token, s.learner.id, brokered.id);
      expect(e.progressPercent).toBe(55);
      expect(e.timeSpentMinutes).toBeNull(); // the employer may, the mandate does not
      expect(reasonOf(e, 'timeSpentMinutes')).toBe('NO_MANDATE');
      expect(await explain(token, s.learner.id, brokered.id, 'PROGRESS')).toMatchObject({ allowed: true, basis: 'PROCESSOR', onBehalfOfId: s.employer.id });
    });

    it('a mandate without VIEW_RESULTS gives nothing of the employer\'s view; NO_MANDATE is all the broker learns', async () => {
      const s = await scene();
      const broker = await w.organisation('BROKER');
      await w.mandate(broker.id, s.employer.id, { permissions: ['ENROL'] });
      const brokered = await w.enrolment(s.learner.id, (await w.course()).id, broker.id, { sponsorEmployerId: s.employer.id });
      await createAgreement(staff, { recipientId: s.employer.id, basis: 'PROCESSOR', categories: ['PROGRESS'] });
      const token = t.token((await w.apiClient(broker)).claims);
      const e = await enrolmentAs(token, s.learner.id, brokered.id);
      expect(e.progressPercent).toBeNull();
      expect(new Set(e.withheld.map((x: { reason: string }) => x.reason))).toEqual(new Set(['NO_MANDATE']));
    });

    it("a learner's consent naming the broker; a broker with no mandate and no consent sees no one", async () => {
      const s = await scene({ employment: 'none', sponsored: false });
      const broker = await w.organisation('BROKER');
      const token = t.token((await w.apiClient(broker)).claims);
      expect((await t.gql(token, `{ learners { nodes { id } } }`)).data.learners.nodes).toEqual([]);
      await t.gql(s.learnerToken, `mutation($i: GrantConsentInput!) { grantConsent(input: $i) { id } }`, { i: { recipientId: broker.id, categories: ['ASSESSMENT_RESULTS'], consentTextVersion: 'v1' } });
      const e = await enrolmentAs(token, s.learner.id, s.enrolment.id);
      expect(e.assessmentResults).toEqual([{ score: 81 }]);
      expect(e.progressPercent).toBeNull();
      expect((await explain(token, s.learner.id, s.enrolment.id, 'ASSESSMENT_RESULTS')).basis).toBe('CONSENT');
    });
  });

  describe('no side channels (rule 12)', () => {
    it('a status filter and a completedSince filter see only rows where that category is shared', async () => {
      const shared = await scene();
      const employer = shared.employer;
      // a second employee of the same employer whose status is not shared with it
      const hidden = await w.learner();
      await w.employment(hidden.id, employer.id, { startedOn: dateOnly(-400 * DAY) });
      const course = await w.course();
      await w.enrolment(hidden.id, course.id, providerId, { sponsorEmployerId: employer.id, status: 'COMPLETED', completedAt: new Date(Date.now() - DAY) });
      await createAgreement(staff, { recipientId: employer.id, basis: 'STUDY_CONTRACT', learnerId: shared.learner.id, categories: ['ENROLMENT_STATUS', 'COMPLETION'] });

      const byStatus = await t.gql(shared.hr, `{ learners(status: COMPLETED) { nodes { id enrolments { id status } } pageInfo { endCursor } } }`);
      expect(byStatus.data.learners.nodes.map((n: { id: string }) => n.id)).toEqual([shared.learner.id]);
      const since = new Date(Date.now() - 30 * DAY).toISOString();
      const byCompletion = await t.gql(shared.hr, `query($s: DateTime) { learners(completedSince: $s) { nodes { id } } }`, { s: since });
      expect(byCompletion.data.learners.nodes.map((n: { id: string }) => n.id)).toEqual([shared.learner.id]);
      // the cursor marks the window, not what matched: the same with and without the filter
      const unfiltered = await t.gql(shared.hr, `{ learners { pageInfo { endCursor } } }`);
      expect(byStatus.data.learners.pageInfo.endCursor).toBe(unfiltered.data.learners.pageInfo.endCursor);
    });

    it('updatedSince selects only enrolments of which something is shared (no activity timing otherwise)', async () => {
      const s = await scene(); // sponsored, but no agreement at all: listed, nothing shared
      const res = await t.gql(s.hr, `query($t: DateTime) { learners(updatedSince: $t) { nodes { id } } }`, { t: new Date(Date.now() - 30 * DAY).toISOString() });
      expect(res.data.learners.nodes.map((n: { id: string }) => n.id)).not.toContain(s.learner.id);
      await createAgreement(staff, { recipientId: s.employer.id, basis: 'PROCESSOR', categories: ['PROGRESS'] });
      const after = await t.gql(s.hr, `query($t: DateTime) { learners(updatedSince: $t) { nodes { id } } }`, { t: new Date(Date.now() - 30 * DAY).toISOString() });
      expect(after.data.learners.nodes.map((n: { id: string }) => n.id)).toContain(s.learner.id);
    });

    it('errors and cursors carry no gated value', async () => {
      const s = await scene();
      const res = await t.gql(s.hr, `{ learners(first: 1) { edges { cursor } pageInfo { endCursor } } }`);
      const cursor = res.data.learners.edges[0].cursor as string;
      expect(Buffer.from(cursor, 'base64url').toString()).toBe(`v1:${s.learner.id}`);
    });
  });
});
