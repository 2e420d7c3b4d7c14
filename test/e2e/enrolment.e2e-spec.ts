import { world } from '../factories/world';
import { createTestApp, type TestApp } from '../utils/test-app';

const DAY = 86_400_000;
const ENROL = `mutation($i: EnrolLearnersInput!) { enrolLearners(input: $i) { replayed outcomes { row outcome learnerId enrolmentId errors { field message } } } }`;

/** Brokers and employers enrol employees (docs/broker-integration.md), over HTTP. */
describe('enrolLearners', () => {
  let t: TestApp;
  let w: ReturnType<typeof world>;

  beforeAll(async () => {
    t = await createTestApp();
    w = world(t.db);
    await w.organisation('PROVIDER');
  });
  afterAll(() => t.close());

  const count = async (sql: string, params: unknown[] = []) => (await t.db.query(sql, params))[0].n as number;
  const snapshot = async () => ({
    learners: await count(`SELECT count(*)::int AS n FROM learners`),
    employments: await count(`SELECT count(*)::int AS n FROM employments`),
    enrolments: await count(`SELECT count(*)::int AS n FROM enrolments`),
    notifications: await count(`SELECT count(*)::int AS n FROM notifications`),
  });
  let keyN = 0;
  const key = () => `batch-${process.pid}-${++keyN}`;

  async function scene(mandate: Parameters<ReturnType<typeof world>['mandate']>[2] | null = {}) {
    const employer = await w.organisation('EMPLOYER');
    const broker = await w.organisation('BROKER');
    if (mandate) await w.mandate(broker.id, employer.id, mandate);
    const course = await w.course();
    const brokerToken = t.token((await w.apiClient(broker)).claims);
    const employerToken = t.token((await w.apiClient(employer)).claims);
    return { employer, broker, course, brokerToken, employerToken };
  }

  const row = (n: string, courseCode: string, over: Record<string, unknown> = {}) => ({
    email: `${n}.${process.pid}@example.test`,
    name: `Person ${n}`,
    employeeNumber: `EMP-${n}-${process.pid}`,
    courseCode,
    startDate: '2026-12-01',
    ...over,
  });

  it('a broker with an ENROL mandate enrols new people and known employees; sponsor is the employer, enrolledBy the broker; the learner is told', async () => {
    const s = await scene({ permissions: ['ENROL'], categories: [] });
    const employee = await w.learner();
    await w.employment(employee.id, s.employer.id, { employeeNumber: `EMP-existing-${process.pid}` });
    const rows = [
      row('new1', s.course.code, { locale: 'en', email: ` New1.${process.pid}@Example.TEST ` }),
      row('existing', s.course.code, { employeeNumber: `EMP-existing-${process.pid}`, email: 'other.address@example.test' }),
    ];
    const res = await t.gql(s.brokerToken, ENROL, { i: { employerId: s.employer.id, idempotencyKey: key(), rows } });
    expect(res.errors).toBeUndefined();
    const outcomes = res.data.enrolLearners.outcomes;
    expect(outcomes.map((o: { outcome: string }) => o.outcome)).toEqual(['CREATED', 'CREATED']);
    expect(outcomes[1].learnerId).toBe(employee.id);

    const [created] = await t.db.query(`SELECT email, locale FROM learners WHERE id = $1`, [outcomes[0].learnerId]);
    expect(created).toEqual({ email: `new1.${process.pid}@example.test`, locale: 'en' });
    const enrolments = await t.db.query(`SELECT sponsor_employer_id, enrolled_by_id, status, to_char(starts_on, 'YYYY-MM-DD') AS starts_on FROM enrolments WHERE id = ANY($1::uuid[])`, [outcomes.map((o: { enrolmentId: string }) => o.enrolmentId)]);
    expect(enrolments).toEqual(Array(2).fill({ sponsor_employer_id: s.employer.id, enrolled_by_id: s.broker.id, status: 'ENROLLED', starts_on: '2026-12-01' }));
    expect(await count(`SELECT count(*)::int AS n FROM employments WHERE employer_id = $1`, [s.employer.id])).toBe(2);
    const told = await t.db.query(`SELECT learner_id, payload FROM notifications WHERE kind = 'ENROLLED' AND learner_id = ANY($1::uuid[])`, [outcomes.map((o: { learnerId: string }) => o.learnerId)]);
    expect(told).toHaveLength(2);
    expect(told[0].payload).toMatchObject({ recipientId: s.broker.id, employerId: s.employer.id, courseId: s.course.id });
  });

  it('a private enrolment on the course neither blocks nor shows; a person with an account of their own is only claimed', async () => {
    const s = await scene();
    const provider = await w.organisation('PROVIDER');
    const stranger = await w.learner(); // studies privately, no employment here
    await w.enrolment(stranger.id, s.course.id, provider.id, { status: 'IN_PROGRESS' });
    const employee = await w.learner();
    await w.employment(employee.id, s.employer.id, { employeeNumber: `EMP-priv-${process.pid}` });
    const privately = await w.enrolment(employee.id, s.course.id, provider.id, { status: 'IN_PROGRESS' }); // private
    const before = await snapshot();
    const res = await t.gql(s.brokerToken, ENROL, {
      i: { employerId: s.employer.id, idempotencyKey: key(), rows: [row('x', s.course.code, { email: stranger.email }), row('y', s.course.code, { email: employee.email, employeeNumber: `EMP-priv-${process.pid}` })] },
    });
    const [a, b] = res.data.enrolLearners.outcomes;
    // Answered like any new person; the employment is a claim, never a link (docs/sharing-rules.md rule 3).
    expect(a).toMatchObject({ outcome: 'CREATED', learnerId: stranger.id, errors: [] });
    const [claim] = await t.db.query(`SELECT claimed_name FROM employments WHERE learner_id = $1 AND employer_id = $2`, [stranger.id, s.employer.id]);
    expect(claim).toEqual({ claimed_name: 'Person x' });
    // The employee's own course is not the employer's business: a new enrolment for this employer,
    // exactly as if there were none, never "cannot be enrolled".
    expect(b).toMatchObject({ outcome: 'CREATED', learnerId: employee.id, errors: [] });
    expect(b.enrolmentId).not.toBe(privately.id);
    expect(await snapshot()).toEqual({ ...before, employments: before.employments + 1, enrolments: before.enrolments + 2, notifications: before.notifications + 2 });
    const [still] = await t.db.query(`SELECT status, sponsor_employer_id FROM enrolments WHERE id = $1`, [privately.id]);
    expect(still).toEqual({ status: 'IN_PROGRESS', sponsor_employer_id: null });
  });

  it('the same key again returns the same outcomes and writes nothing; with another body it is refused', async () => {
    const s = await scene();
    const k = key();
    const input = { employerId: s.employer.id, idempotencyKey: k, rows: [row('idem', s.course.code)] };
    const first = await t.gql(s.brokerToken, ENROL, { i: input });
    const before = await snapshot();
    const again = await t.gql(s.brokerToken, ENROL, { i: input });
    expect(again.data.enrolLearners).toEqual({ ...first.data.enrolLearners, replayed: true });
    expect(await snapshot()).toEqual(before);
    const other = await t.gql(s.brokerToken, ENROL, { i: { ...input, rows: [row('idem2', s.course.code)] } });
    expect(other.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.idempotencyKey' });
    expect(await snapshot()).toEqual(before);
  });

  it('rejected rows are reported with their fields; valid rows are committed', async () => {
    const s = await scene();
    const res = await t.gql(s.brokerToken, ENROL, {
      i: {
        employerId: s.employer.id,
        idempotencyKey: key(),
        rows: [row('ok', s.course.code), row('bademail', s.course.code, { email: 'not-an-email' }), row('badcourse', 'NO-SUCH-COURSE', { startDate: '2026-02-30' })],
      },
    });
    const [ok, badEmail, badCourse] = res.data.enrolLearners.outcomes;
    expect(ok.outcome).toBe('CREATED');
    expect(badEmail).toMatchObject({ outcome: 'REJECTED', learnerId: null, errors: [{ field: 'email' }] });
    expect(badCourse.outcome).toBe('REJECTED');
    expect(badCourse.errors.map((e: { field: string }) => e.field).sort()).toEqual(['courseCode', 'startDate']);
    expect(await count(`SELECT count(*)::int AS n FROM learners WHERE email LIKE 'bad%'`)).toBe(0);
  });

  it('an enrolment that already exists is ALREADY_ENROLLED, also twice in one batch', async () => {
    const s = await scene();
    const first = await t.gql(s.brokerToken, ENROL, { i: { employerId: s.employer.id, idempotencyKey: key(), rows: [row('twice', s.course.code)] } });
    const res = await t.gql(s.brokerToken, ENROL, { i: { employerId: s.employer.id, idempotencyKey: key(), rows: [row('twice', s.course.code), row('twice', s.course.code)] } });
    expect(res.data.enrolLearners.outcomes.map((o: { outcome: string; enrolmentId: string }) => [o.outcome, o.enrolmentId])).toEqual([
      ['ALREADY_ENROLLED', first.data.enrolLearners.outcomes[0].enrolmentId],
      ['ALREADY_ENROLLED', first.data.enrolLearners.outcomes[0].enrolmentId],
    ]);
  });

  describe('refused as a whole, nothing written', () => {
    it.each([
      ['no mandate', null],
      ['an expired mandate', { validFrom: new Date(Date.now() - 30 * DAY), validUntil: new Date(Date.now() - DAY) }],
      ['a revoked mandate', { revokedAt: new Date(Date.now() - DAY) }],
      ['a mandate without ENROL', { permissions: ['VIEW_RESULTS' as const] }],
    ])('%s', async (_name, mandate) => {
      const s = await scene(mandate);
      const before = await snapshot();
      const res = await t.gql(s.brokerToken, ENROL, { i: { employerId: s.employer.id, idempotencyKey: key(), rows: [row(`m${keyN}`, s.course.code)] } });
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.employerId' });
      expect(await snapshot()).toEqual(before);
    });

    it('more than 1,000 rows', async () => {
      const s = await scene();
      const before = await snapshot();
      const rows = Array.from({ length: 1001 }, (_, i) => row(`big${i}`, s.course.code));
      const res = await t.gql(s.brokerToken, ENROL, { i: { employerId: s.employer.id, idempotencyKey: key(), rows } });
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.rows' });
      expect(await snapshot()).toEqual(before);
    });

    it('an employer enrolling for another employer', async () => {
      const s = await scene();
      const other = await w.organisation('EMPLOYER');
      const res = await t.gql(s.employerToken, ENROL, { i: { employerId: other.id, idempotencyKey: key(), rows: [row('x', s.course.code)] } });
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.employerId' });
    });
  });

  it("the employer's own client enrols its employees", async () => {
    const s = await scene(null);
    const res = await t.gql(s.employerToken, ENROL, { i: { idempotencyKey: key(), rows: [row('own', s.course.code)] } });
    expect(res.data.enrolLearners.outcomes[0].outcome).toBe('CREATED');
    const [e] = await t.db.query(`SELECT enrolled_by_id FROM enrolments WHERE id = $1`, [res.data.enrolLearners.outcomes[0].enrolmentId]);
    expect(e.enrolled_by_id).toBe(s.employer.id);
  });

  it('two concurrent identical requests, and two concurrent batches naming the same people, create no duplicates', async () => {
    const s = await scene();
    const rows = Array.from({ length: 30 }, (_, i) => row(`conc${i}`, s.course.code));
    const input = { employerId: s.employer.id, idempotencyKey: key(), rows };
    const [a, b] = await Promise.all([t.gql(s.brokerToken, ENROL, { i: input }), t.gql(s.brokerToken, ENROL, { i: input })]);
    expect(a.errors ?? b.errors).toBeUndefined();
    expect(a.data.enrolLearners.outcomes).toEqual(b.data.enrolLearners.outcomes);
    expect([a.data.enrolLearners.replayed, b.data.enrolLearners.replayed].sort()).toEqual([false, true]);
    const [c, d] = await Promise.all([
      t.gql(s.brokerToken, ENROL, { i: { ...input, idempotencyKey: key() } }),
      t.gql(s.employerToken, ENROL, { i: { ...input, idempotencyKey: key() } }),
    ]);
    expect(c.data.enrolLearners.outcomes.every((o: { outcome: string }) => o.outcome === 'ALREADY_ENROLLED')).toBe(true);
    expect(d.data.enrolLearners.outcomes.every((o: { outcome: string }) => o.outcome === 'ALREADY_ENROLLED')).toBe(true);
    expect(await count(`SELECT count(*)::int AS n FROM learners WHERE email LIKE 'conc%'`)).toBe(30);
    expect(await count(`SELECT count(*)::int AS n FROM employments WHERE employer_id = $1`, [s.employer.id])).toBe(30);
    expect(await count(`SELECT count(*)::int AS n FROM enrolments WHERE sponsor_employer_id = $1`, [s.employer.id])).toBe(30);
  });

  it('reading back: a broker without VIEW_RESULTS sees its learners but no results; with it, what the mandate allows', async () => {
    const s = await scene({ permissions: ['ENROL'], categories: [] });
    const res = await t.gql(s.brokerToken, ENROL, { i: { employerId: s.employer.id, idempotencyKey: key(), rows: [row('rb', s.course.code)] } });
    await w.agreement({ recipientId: s.employer.id, basis: 'PROCESSOR', categories: ['ENROLMENT_STATUS', 'PROGRESS'] });
    const Q = `{ learners { nodes { id enrolments { status progressPercent withheld { field reason } } } } }`;
    const before = await t.gql(s.brokerToken, Q);
    expect(before.data.learners.nodes).toHaveLength(1);
    expect(before.data.learners.nodes[0].enrolments[0]).toMatchObject({ status: null, progressPercent: null });
    await t.db.query(`UPDATE broker_mandates SET permissions = '{ENROL,VIEW_RESULTS}', categories = '{ENROLMENT_STATUS}' WHERE broker_id = $1`, [s.broker.id]);
    const after = await t.gql(s.brokerToken, Q);
    expect(after.data.learners.nodes[0].enrolments[0]).toMatchObject({ status: 'ENROLLED', progressPercent: null });
    expect(res.data.enrolLearners.outcomes[0].learnerId).toBe(after.data.learners.nodes[0].id);
    // a broker with no mandate at all reads nothing
    const stranger = t.token((await w.apiClient(await w.organisation('BROKER'))).claims);
    expect((await t.gql(stranger, Q)).data.learners.nodes).toEqual([]);
  });

  it('withdraw: by the broker that enrolled under its mandate or by the sponsor; anyone else gets not found', async () => {
    const s = await scene();
    const res = await t.gql(s.brokerToken, ENROL, { i: { employerId: s.employer.id, idempotencyKey: key(), rows: [row('wd', s.course.code)] } });
    const enrolmentId = res.data.enrolLearners.outcomes[0].enrolmentId;
    const stranger = t.token((await w.apiClient(await w.organisation('BROKER'))).claims);
    const refused = await t.gql(stranger, `mutation($e: ID!) { withdrawEnrolment(enrolmentId: $e) { id } }`, { e: enrolmentId });
    expect(refused.errors?.[0].extensions.code).toBe('NOT_FOUND');
    const done = await t.gql(s.brokerToken, `mutation($e: ID!) { withdrawEnrolment(enrolmentId: $e) { id } }`, { e: enrolmentId });
    expect(done.data.withdrawEnrolment.id).toBe(enrolmentId);
    const [e] = await t.db.query(`SELECT status FROM enrolments WHERE id = $1`, [enrolmentId]);
    expect(e.status).toBe('WITHDRAWN');
  });
});
