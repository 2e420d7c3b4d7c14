import { createTestApp, type TestApp } from '../utils/test-app';
import { staffClaims, world } from '../factories/world';

/**
 * Provider staff and the learning platform create and update the domain model (docs/architecture.md, "Data model")
 * through GraphQL: that is how progress, results and certificates enter the system.
 */
describe('domain model through GraphQL (provider staff)', () => {
  let t: TestApp;
  let staff: string;
  let w: ReturnType<typeof world>;
  let providerId: string;

  beforeAll(async () => {
    t = await createTestApp();
    w = world(t.db);
    providerId = (await w.organisation('PROVIDER')).id;
    staff = t.token(staffClaims(providerId));
  });
  afterAll(() => t.close());

  const count = async (table: string) => (await t.db.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n as number;

  it('creates an organisation, learner, employment, course, enrolment, progress, result and certificate', async () => {
    const org = await t.gql(staff, `mutation { createOrganisation(input: { kind: EMPLOYER, name: "Acme Zorg", chamberOfCommerceNumber: "12345678" }) { id kind name chamberOfCommerceNumber } }`);
    expect(org.errors).toBeUndefined();
    const employerId = org.data.createOrganisation.id;
    expect(org.data.createOrganisation).toMatchObject({ kind: 'EMPLOYER', name: 'Acme Zorg', chamberOfCommerceNumber: '12345678' });

    const learner = await t.gql(staff, `mutation { createLearner(input: { name: "Sanne Visser", email: " Sanne.Visser@Example.NL ", locale: en }) { id email locale } }`);
    expect(learner.data.createLearner).toMatchObject({ email: 'sanne.visser@example.nl', locale: 'en' });
    const learnerId = learner.data.createLearner.id;

    const employment = await t.gql(staff, `mutation($i: CreateEmploymentInput!) { createEmployment(input: $i) { id startedOn endedOn employeeNumber } }`, {
      i: { learnerId, employerId, employeeNumber: 'E-7', startedOn: '2025-03-01' },
    });
    expect(employment.data.createEmployment).toMatchObject({ startedOn: '2025-03-01', endedOn: null, employeeNumber: 'E-7' });
    const ended = await t.gql(staff, `mutation($id: ID!) { updateEmployment(id: $id, input: { endedOn: "2026-06-30" }) { endedOn } }`, { id: employment.data.createEmployment.id });
    expect(ended.data.updateEmployment.endedOn).toBe('2026-06-30');

    const course = await t.gql(staff, `mutation { createCourse(input: { code: "BHV-1", title: "BHV", accreditationBody: "NIBHV", accreditationPoints: 4.5 }) { id accreditationPoints } }`);
    expect(course.data.createCourse.accreditationPoints).toBe(4.5);
    const courseId = course.data.createCourse.id;

    const enrolment = await t.gql(staff, `mutation($i: CreateEnrolmentInput!) { createEnrolment(input: $i) { id status sponsorEmployerId enrolledById progressPercent completed } }`, {
      i: { learnerId, courseId, sponsorEmployerId: employerId },
    });
    expect(enrolment.data.createEnrolment).toMatchObject({ status: 'ENROLLED', sponsorEmployerId: employerId, enrolledById: providerId, progressPercent: 0, completed: false });
    const enrolmentId = enrolment.data.createEnrolment.id;

    const progress = await t.gql(staff, `mutation($id: ID!) { recordProgress(id: $id, input: { status: IN_PROGRESS, progressPercent: 40, timeSpentMinutes: 75, lastActivityAt: "2026-11-01T10:00:00Z" }) { status progressPercent timeSpentMinutes startedAt lastActivityAt } }`, { id: enrolmentId });
    expect(progress.data.recordProgress).toMatchObject({ status: 'IN_PROGRESS', progressPercent: 40, timeSpentMinutes: 75, lastActivityAt: '2026-11-01T10:00:00.000Z' });
    expect(progress.data.recordProgress.startedAt).not.toBeNull();

    const result = await t.gql(staff, `mutation($i: RecordAssessmentResultInput!) { recordAssessmentResult(input: $i) { score maxScore passed } }`, {
      i: { enrolmentId, assessmentName: 'Eindtoets', attemptedAt: '2026-11-02T09:00:00Z', score: 72.5, maxScore: 100, passed: true },
    });
    expect(result.data.recordAssessmentResult).toEqual({ score: 72.5, maxScore: 100, passed: true });

    const done = await t.gql(staff, `mutation($id: ID!) { recordProgress(id: $id, input: { status: COMPLETED, progressPercent: 100 }) { status completed completedAt } }`, { id: enrolmentId });
    expect(done.data.recordProgress).toMatchObject({ status: 'COMPLETED', completed: true });

    const cert = await t.gql(staff, `mutation($i: IssueCertificateInput!) { issueCertificate(input: $i) { number accreditationPoints } }`, {
      i: { enrolmentId, number: 'LO-1', issuedAt: '2026-11-03T09:00:00Z', expiresAt: '2028-11-03T09:00:00Z', accreditationPoints: 4.5 },
    });
    expect(cert.data.issueCertificate).toEqual({ number: 'LO-1', accreditationPoints: 4.5 });

    const read = await t.gql(staff, `query($id: ID!) { enrolment(id: $id) { course { code } assessmentResults { assessmentName score } certificates { number } } }`, { id: enrolmentId });
    expect(read.data.enrolment).toEqual({ course: { code: 'BHV-1' }, assessmentResults: [{ assessmentName: 'Eindtoets', score: 72.5 }], certificates: [{ number: 'LO-1' }] });
  });

  describe('bad input: BAD_USER_INPUT naming the field, nothing written', () => {
    it.each([
      ['createOrganisation', `mutation { createOrganisation(input: { kind: EMPLOYER, name: "X", chamberOfCommerceNumber: "12AB" }) { id } }`, 'input.chamberOfCommerceNumber', 'organisations'],
      ['createLearner', `mutation { createLearner(input: { name: "X", email: "not-an-email" }) { id } }`, 'input.email', 'learners'],
      ['createCourse', `mutation { createCourse(input: { code: "bad code", title: "X" }) { id } }`, 'input.code', 'courses'],
    ])('%s', async (_name, mutation, field, table) => {
      const before = await count(table);
      const res = await t.gql(staff, mutation);
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(await count(table)).toBe(before);
    });

    it('an employment that ends before it starts, or at an unknown learner', async () => {
      const employer = await w.organisation('EMPLOYER');
      const learner = await w.learner();
      const before = await count('employments');
      const backwards = await t.gql(staff, `mutation($i: CreateEmploymentInput!) { createEmployment(input: $i) { id } }`, {
        i: { learnerId: learner.id, employerId: employer.id, employeeNumber: 'E1', startedOn: '2026-01-10', endedOn: '2026-01-09' },
      });
      expect(backwards.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.endedOn' });
      const badDate = await t.gql(staff, `mutation($i: CreateEmploymentInput!) { createEmployment(input: $i) { id } }`, {
        i: { learnerId: learner.id, employerId: employer.id, employeeNumber: 'E1', startedOn: '2026-02-30' },
      });
      expect(badDate.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.startedOn' });
      const unknown = await t.gql(staff, `mutation($i: CreateEmploymentInput!) { createEmployment(input: $i) { id } }`, {
        i: { learnerId: '00000000-0000-4000-8000-00000000beef', employerId: employer.id, employeeNumber: 'E1', startedOn: '2026-01-10' },
      });
      expect(unknown.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.learnerId' });
      expect(await count('employments')).toBe(before);
    });

    it('a score above the maximum writes no result', async () => {
      const learner = await w.learner();
      const course = await w.course();
      const enrolment = await w.enrolment(learner.id, course.id, providerId);
      const before = await count('assessment_results');
      const res = await t.gql(staff, `mutation($i: RecordAssessmentResultInput!) { recordAssessmentResult(input: $i) { id } }`, {
        i: { enrolmentId: enrolment.id, assessmentName: 'T', attemptedAt: '2026-01-01T00:00:00Z', score: 11, maxScore: 10, passed: true },
      });
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.score' });
      expect(await count('assessment_results')).toBe(before);
    });

    it('a duplicate email names the field', async () => {
      const existing = await w.learner();
      const res = await t.gql(staff, `mutation($e: String!) { createLearner(input: { name: "Y", email: $e }) { id } }`, { e: existing.email.toUpperCase() });
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.email' });
    });

    it('page size above 500 and a forged cursor', async () => {
      const big = await t.gql(staff, `{ learners(first: 501) { nodes { id } } }`);
      expect(big.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
      const forged = await t.gql(staff, `{ learners(after: "bm9wZQ") { nodes { id } } }`);
      expect(forged.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    });

    it('an unknown id answers NOT_FOUND, also for ids that are not UUIDs', async () => {
      for (const id of ['00000000-0000-4000-8000-00000000beef', 'abc']) {
        const res = await t.gql(staff, `query($id: ID!) { learner(id: $id) { id } }`, { id });
        expect(res.errors?.[0].extensions.code).toBe('NOT_FOUND');
      }
    });
  });

  it('keyset pagination walks every learner exactly once, in pages of up to 500', async () => {
    const employer = await w.organisation('EMPLOYER');
    const created = new Set<string>();
    for (let i = 0; i < 7; i++) {
      const l = await w.learner();
      await w.employment(l.id, employer.id);
      created.add(l.id);
    }
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const res: any = await t.gql(staff, `query($e: ID, $after: String) { learners(employerId: $e, first: 3, after: $after) { edges { cursor node { id } } nodes { id } pageInfo { endCursor hasNextPage } } }`, { e: employer.id, after });
      const conn: any = res.data.learners;
      expect(conn.nodes.map((n: { id: string }) => n.id)).toEqual(conn.edges.map((e: { node: { id: string } }) => e.node.id));
      seen.push(...conn.nodes.map((n: { id: string }) => n.id));
      after = conn.pageInfo.hasNextPage ? conn.pageInfo.endCursor : null;
      pages++;
    } while (after);
    expect(pages).toBe(3);
    expect(seen.length).toBe(7);
    expect(new Set(seen)).toEqual(created);
  });

  it('provider staff filter learners by their enrolments (course, status)', async () => {
    const learner = await w.learner();
    const other = await w.learner();
    const course = await w.course();
    await w.enrolment(learner.id, course.id, providerId, { status: 'COMPLETED', completedAt: new Date() });
    await w.enrolment(other.id, course.id, providerId, { status: 'IN_PROGRESS' });
    const res = await t.gql(staff, `query($c: ID) { learners(courseId: $c, status: COMPLETED) { nodes { id } } }`, { c: course.id });
    expect(res.data.learners.nodes).toEqual([{ id: learner.id }]);
  });

  describe('tenancy: an id of another organisation answers exactly like an unknown id', () => {
    it('organisation(id)', async () => {
      const mine = await w.organisation('EMPLOYER');
      const theirs = await w.organisation('EMPLOYER');
      const token = t.token((await w.apiClient(mine)).claims);
      const own = await t.gql(token, `query($id: ID!) { organisation(id: $id) { id name } }`, { id: mine.id });
      expect(own.data.organisation.id).toBe(mine.id);
      const other = await t.gql(token, `query($id: ID!) { organisation(id: $id) { id name } }`, { id: theirs.id });
      const unknown = await t.gql(token, `query($id: ID!) { organisation(id: $id) { id name } }`, { id: '00000000-0000-4000-8000-00000000beef' });
      expect(other.body).toEqual({ ...unknown.body, errors: unknown.errors!.map((e) => ({ ...e })) });
      expect(other.errors?.[0].extensions.code).toBe('NOT_FOUND');
      expect(JSON.stringify(other.body)).not.toContain(theirs.name);
    });

    it('apiClients and brokerMandates list only the caller organisation', async () => {
      const employerA = await w.organisation('EMPLOYER');
      const employerB = await w.organisation('EMPLOYER');
      const broker = await w.organisation('BROKER');
      const a = await w.apiClient(employerA);
      const b = await w.apiClient(employerB);
      await t.gql(staff, `mutation($i: CreateBrokerMandateInput!) { createBrokerMandate(input: $i) { id } }`, {
        i: { brokerId: broker.id, employerId: employerB.id, validFrom: '2026-01-01T00:00:00Z', permissions: ['ENROL'] },
      });
      const tokenA = t.token(a.claims);
      const clients = await t.gql(tokenA, `query($o: ID) { apiClients(organisationId: $o) { clientId } }`, { o: employerB.id });
      expect(clients.data.apiClients).toEqual([]);
      const own = await t.gql(tokenA, `{ apiClients { clientId } }`);
      expect(own.data.apiClients).toEqual([{ clientId: a.client.clientId }]);
      expect(JSON.stringify(own.body)).not.toContain(b.client.clientId);
      const mandates = await t.gql(tokenA, `{ brokerMandates { id } }`);
      expect(mandates.data.brokerMandates).toEqual([]);
      const mandatesB = await t.gql(t.token(b.claims), `{ brokerMandates { employerId } }`);
      expect(mandatesB.data.brokerMandates).toEqual([{ employerId: employerB.id }]);
    });

    it('a learner reads their own profile through `me`, and no other learner', async () => {
      const learner = await w.learner();
      const other = await w.learner();
      const token = t.token({ sub: learner.id, kind: 'LEARNER' });
      expect((await t.gql(token, `{ me { id email } }`)).data.me).toEqual({ id: learner.id, email: learner.email });
      const res = await t.gql(token, `query($id: ID!) { learner(id: $id) { id } }`, { id: other.id });
      expect(res.errors?.[0].extensions.code).toBe('FORBIDDEN');
      expect(JSON.stringify(res.body)).not.toContain(other.email);
    });
  });
});
