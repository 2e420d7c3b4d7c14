import { RetentionJob } from '../../src/rights/retention/retention.job';
import { staffClaims, world } from '../factories/world';
import { SmtpSink } from '../utils/smtp-sink';
import { createTestApp, type TestApp } from '../utils/test-app';

/**
 * Erasure with retention holds and the retention job (docs/retention.md), over HTTP: before, the
 * employer sees the learner; after, the learner is invisible like an unknown id, nothing more is
 * disclosed or emailed, the answer names what is held, why and until when; with the dates moved
 * (in the database) the job erases the rest, in batches, idempotently, resuming after a crash.
 */
describe('erasure and retention', () => {
  let t: TestApp;
  let w: ReturnType<typeof world>;
  let smtp: SmtpSink;
  let staff: string;

  beforeAll(async () => {
    smtp = await new SmtpSink().start();
    t = await createTestApp({ SMTP_URL: `smtp://127.0.0.1:${smtp.port}` });
    w = world(t.db);
    staff = t.token(staffClaims((await w.organisation('PROVIDER')).id));
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  const PAGE = `{ learners { nodes { id name enrolments { progressPercent completed assessmentResults { score } } } } }`;

  async function disclosedLearner(locale: 'nl' | 'en' = 'en') {
    const employer = await w.organisation('EMPLOYER', `Care Group ${Math.random().toString(36).slice(2, 6)}`);
    const learner = await w.learner({ locale, name: 'Erin Example' });
    await w.employment(learner.id, employer.id);
    const course = await w.course({ accreditationBody: 'V&VN' });
    const enrolment = await w.enrolment(learner.id, course.id, employer.id, { sponsorEmployerId: employer.id, status: 'COMPLETED', progressPercent: 100, completedAt: new Date() });
    await w.result(enrolment.id);
    await w.certificate(enrolment.id);
    await w.agreement({ recipientId: employer.id, basis: 'PROCESSOR', categories: ['PROGRESS', 'COMPLETION', 'ASSESSMENT_RESULTS'] });
    const hr = t.token((await w.apiClient(employer)).claims);
    const token = t.token({ sub: learner.id, kind: 'LEARNER' });
    const before = await t.gql(hr, PAGE);
    expect(before.data.learners.nodes.map((n: { id: string }) => n.id)).toContain(learner.id);
    return { employer, learner, hr, token, enrolment };
  }

  it('erases at once, holds what the law keeps with ground and date, and the learner vanishes for every recipient', async () => {
    const { employer, learner, hr, token } = await disclosedLearner('en');
    const mails = smtp.received.length;
    const res = await t.gql(token, `mutation { fileRequest(input: { kind: ERASURE }) { id status answer } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.fileRequest.status).toBe('ANSWERED');
    const answer: string = res.data.fileRequest.answer;
    for (const kind of ['enrolments', 'certificates', 'register of what we shared', 'requests']) expect(answer.toLowerCase()).toContain(kind.toLowerCase().split(' ')[0]);
    expect(answer).toMatch(/Earliest date it can go: \d{4}-\d{2}-\d{2}/);
    const [erasure] = await t.db.query(`SELECT holds FROM erasures WHERE learner_id = $1`, [learner.id]);
    expect(erasure.holds.map((h: { recordKind: string }) => h.recordKind).sort()).toEqual(['CERTIFICATE', 'ENROLMENT_ADMINISTRATION', 'LEARNER_REQUEST', 'LEDGER_ENTRY']);
    for (const h of erasure.holds) expect(h).toEqual({ recordKind: expect.any(String), legalGround: expect.any(String), until: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    // The answer went to the address, before it was erased.
    const sent = smtp.received.slice(mails);
    expect(sent.map((m) => m.to)).toEqual([learner.email]);
    expect(sent[0].text).toContain('until');

    // The employer: the learner is gone, like an unknown id; nothing more is disclosed.
    const ledger = Number((await t.db.query(`SELECT count(*) FROM disclosures WHERE learner_id = $1`, [learner.id]))[0].count);
    const after = await t.gql(hr, PAGE);
    expect(after.data.learners.nodes.map((n: { id: string }) => n.id)).not.toContain(learner.id);
    const one = await t.gql(hr, `query($id: ID!) { learner(id: $id) { id } }`, { id: learner.id });
    const unknown = await t.gql(hr, `query($id: ID!) { learner(id: $id) { id } }`, { id: '0190a0b0-0000-7000-8000-0000000000ee' });
    expect(one.errors![0]).toEqual(unknown.errors![0]);
    expect(Number((await t.db.query(`SELECT count(*) FROM disclosures WHERE learner_id = $1`, [learner.id]))[0].count)).toBe(ledger);
    // Identity gone, the token resolves to nobody, nothing left to email.
    const [row] = await t.db.query(`SELECT name, email, external_subject_id FROM learners WHERE id = $1`, [learner.id]);
    expect(row.name).not.toContain('Erin');
    expect(row.email).not.toBe(learner.email);
    expect((await t.http().post('/graphql').set('authorization', `Bearer ${token}`).send({ query: '{ me { id } }' })).status).toBe(401);
    expect(await t.db.query(`SELECT 1 FROM notifications WHERE learner_id = $1`, [learner.id])).toEqual([]);
    expect(await t.db.query(`SELECT 1 FROM assessment_results r JOIN enrolments e ON e.id = r.enrolment_id WHERE e.learner_id = $1`, [learner.id])).toEqual([]);
    expect(await t.db.query(`SELECT 1 FROM employments WHERE learner_id = $1`, [learner.id])).toEqual([]);
    // Nothing about the erased learner is written again: no correction, no progress, no enrolment.
    expect((await t.gql(staff, `mutation($id: ID!) { updateLearner(id: $id, input: { name: "Erin Example" }) { id } }`, { id: learner.id })).errors![0].extensions.code).toBe('NOT_FOUND');
    const [enrolmentRow] = await t.db.query(`SELECT id FROM enrolments WHERE learner_id = $1`, [learner.id]);
    expect((await t.gql(staff, `mutation($id: ID!) { recordProgress(id: $id, input: { progressPercent: 50 }) { id } }`, { id: enrolmentRow.id })).errors![0].extensions.code).toBe('NOT_FOUND');
    expect((await t.db.query(`SELECT name FROM learners WHERE id = $1`, [learner.id]))[0].name).toBe('Erased learner');
    // The employer is recorded to be told to delete what it received.
    expect(await t.db.query(`SELECT recipient_id FROM recipient_notices WHERE learner_id = $1`, [learner.id])).toEqual([{ recipient_id: employer.id }]);
  });

  it('an erasure closes the learner’s other open requests and ends a restriction; erasing twice is refused', async () => {
    const { learner, token } = await disclosedLearner('nl');
    const pending = (await t.gql(token, `mutation { fileRequest(input: { kind: RECTIFICATION, details: "typo" }) { id } }`)).data.fileRequest.id;
    expect((await t.gql(token, `mutation { requestRestriction { id } }`)).errors).toBeUndefined();
    const res = await t.gql(staff, `mutation($l: ID!) { recordRequest(input: { learnerId: $l, kind: ERASURE, channel: LETTER, identityVerification: "signed letter" }) { status } }`, { l: learner.id });
    expect(res.errors).toBeUndefined();
    expect(res.data.recordRequest.status).toBe('ANSWERED');
    const [closed] = await t.db.query(`SELECT status, answer FROM data_subject_requests WHERE id = $1`, [pending]);
    expect(closed.status).toBe('ANSWERED');
    expect(closed.answer).toContain('erased');
    expect(await t.db.query(`SELECT 1 FROM restrictions WHERE learner_id = $1`, [learner.id])).toEqual([]);
    const again = await t.gql(staff, `mutation($l: ID!) { recordRequest(input: { learnerId: $l, kind: ERASURE, channel: LETTER, identityVerification: "x" }) { status } }`, { l: learner.id });
    expect(again.errors![0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('retention rules are data: staff read and change them; bad input is refused', async () => {
    const rules = (await t.gql(staff, `{ retentionRules { recordKind accreditationBody periodMonths countedFrom legalGround } }`)).data.retentionRules;
    expect(rules.map((r: { recordKind: string }) => r.recordKind).sort()).toEqual(['CERTIFICATE', 'ENROLMENT_ADMINISTRATION', 'LEARNER_REQUEST', 'LEDGER_ENTRY']);
    const set = await t.gql(staff, `mutation { setRetentionRule(input: { recordKind: CERTIFICATE, accreditationBody: "V&VN", legalGround: "V&VN register: 10 years", periodMonths: 120 }) { recordKind accreditationBody periodMonths countedFrom } }`);
    expect(set.data.setRetentionRule).toEqual({ recordKind: 'CERTIFICATE', accreditationBody: 'V&VN', periodMonths: 120, countedFrom: 'CERTIFICATE_ISSUED' });
    const negative = await t.gql(staff, `mutation { setRetentionRule(input: { recordKind: LEDGER_ENTRY, legalGround: "x", periodMonths: -1 }) { recordKind } }`);
    expect(negative.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    const unknownKind = await t.gql(staff, `mutation { setRetentionRule(input: { recordKind: INVOICES, legalGround: "x", periodMonths: 1 }) { recordKind } }`);
    expect(unknownKind.errors![0].extensions.code).toMatch(/BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED/);
    const wrongEvent = await t.gql(staff, `mutation { setRetentionRule(input: { recordKind: LEDGER_ENTRY, legalGround: "x", periodMonths: 1, countedFrom: CERTIFICATE_ISSUED }) { recordKind } }`);
    expect(wrongEvent.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.countedFrom' } });
    // A certificate of a V&VN course is now held for 10 years.
    const { learner, token } = await disclosedLearner('en');
    await t.gql(token, `mutation { fileRequest(input: { kind: ERASURE }) { id } }`);
    const [erasure] = await t.db.query(`SELECT holds FROM erasures WHERE learner_id = $1`, [learner.id]);
    const cert = erasure.holds.find((h: { recordKind: string }) => h.recordKind === 'CERTIFICATE');
    expect(Number(cert.until.slice(0, 4))).toBe(new Date().getFullYear() + 10);
  });

  it('the retention job erases what was held once its date has come, in batches, idempotently, and resumes after a crash', async () => {
    const { learner, token, enrolment } = await disclosedLearner('en');
    await t.gql(token, `mutation { fileRequest(input: { kind: ERASURE }) { id } }`);
    const retired = async () => Number((await t.db.query(`SELECT coalesce(sum(enrolments), 0) AS n FROM analysis_retired WHERE course_id = $1`, [enrolment.courseId]))[0].n);
    expect(await retired()).toBe(0);
    // More rows than one batch: extra requests of the learner (held as LEARNER_REQUEST).
    for (let i = 0; i < 5; i++) {
      await t.admin.query(
        `INSERT INTO data_subject_requests (id, learner_id, kind, channel, identity_verification, received_at, recorded_by, original_due_at, due_at, status, answered_at, answer)
         VALUES (gen_random_uuid(), $1, 'ACCESS', 'API', 't', now(), 't', now(), now(), 'ANSWERED', now(), 'ok')`,
        [learner.id],
      );
    }
    // The dates move (the holds' dates set to yesterday; the ledger entries made older than the proof period).
    await t.admin.query(`UPDATE erasures SET holds = (SELECT jsonb_agg(h || jsonb_build_object('until', to_char(now() - interval '1 day', 'YYYY-MM-DD'))) FROM jsonb_array_elements(holds) h) WHERE learner_id = $1`, [learner.id]);
    await t.admin.query(`ALTER TABLE disclosures DISABLE TRIGGER USER`);
    await t.admin.query(`UPDATE disclosures SET disclosed_at = disclosed_at - interval '8 years' WHERE learner_id = $1`, [learner.id]);
    await t.admin.query(`ALTER TABLE disclosures ENABLE TRIGGER USER`);
    const job = t.app.get(RetentionJob);
    // A crash after the first batch of requests: that batch is committed, the rest is not.
    const batches: number[] = [];
    await expect(
      job.run({
        batchSize: 2,
        onBatch: (kind, n) => {
          batches.push(n);
          if (kind === 'LEARNER_REQUEST') throw new Error('crash');
        },
      }),
    ).rejects.toThrow('crash');
    expect(Math.max(...batches)).toBeLessThanOrEqual(2);
    // The next run finishes the work.
    const counts = await job.run({ batchSize: 2, onBatch: (_k, n) => batches.push(n) });
    expect(Math.max(...batches)).toBeLessThanOrEqual(2);
    expect(counts.ERASURE_COMPLETED).toBe(1);
    expect(await t.db.query(`SELECT 1 FROM data_subject_requests WHERE learner_id = $1`, [learner.id])).toEqual([]);
    expect(await t.db.query(`SELECT 1 FROM enrolments WHERE learner_id = $1`, [learner.id])).toEqual([]);
    // The deleted enrolment still counts in the anonymised analysis (docs/analysis.md).
    expect(await retired()).toBe(1);
    expect(await t.db.query(`SELECT 1 FROM disclosures WHERE learner_id = $1 AND purged_at IS NULL`, [learner.id])).toEqual([]);
    const [done] = await t.db.query(`SELECT completed_at, not_told_reason FROM erasures WHERE learner_id = $1`, [learner.id]);
    expect(done.completed_at).not.toBeNull();
    expect(done.not_told_reason).toContain('no address');
    // Idempotent: a third run finds nothing of this learner's to do.
    const third = await job.run({ batchSize: 2 });
    expect(third.ERASURE_COMPLETED).toBeUndefined();
    expect(third.CERTIFICATE).toBeUndefined();
    // The ledger still verifies, with the purged entries reported as purged.
    const verify = (await t.gql(staff, `{ verifyLedger { ok entriesPurged firstBroken { problem } } }`)).data.verifyLedger;
    expect(verify.ok).toBe(true);
    expect(verify.entriesPurged).toBeGreaterThanOrEqual(1);
    const runs = (await t.gql(staff, `{ retentionRuns(last: 3) { counts { kind rows } finishedAt } }`)).data.retentionRuns;
    expect(runs[1].counts).toEqual(expect.arrayContaining([{ kind: 'ERASURE_COMPLETED', rows: 1 }]));
  });

  it('for learners who were not erased: certificates and enrolment administration past their period go, recent ones stay', async () => {
    const employer = await w.organisation('EMPLOYER');
    const learner = await w.learner();
    const course = await w.course();
    const other = await w.course();
    const old = await w.enrolment(learner.id, course.id, employer.id, { status: 'COMPLETED', progressPercent: 100, completedAt: new Date(Date.now() - 8 * 365 * 86_400_000) });
    const oldCertificate = await w.certificate(old.id, { issuedAt: new Date(Date.now() - 8 * 365 * 86_400_000) });
    const recent = await w.enrolment(learner.id, other.id, employer.id, { status: 'COMPLETED', progressPercent: 100, completedAt: new Date() });
    const recentCertificate = await w.certificate(recent.id);
    const counts = await t.app.get(RetentionJob).run();
    expect(counts.CERTIFICATE).toBeGreaterThanOrEqual(1);
    expect(counts.ENROLMENT_ADMINISTRATION).toBeGreaterThanOrEqual(1);
    expect(await t.db.query(`SELECT id FROM certificates WHERE id = ANY($1::uuid[])`, [[oldCertificate.id, recentCertificate.id]])).toEqual([{ id: recentCertificate.id }]);
    expect((await t.db.query(`SELECT id FROM enrolments WHERE learner_id = $1`, [learner.id])).map((r: { id: string }) => r.id)).toEqual([recent.id]);
    // The learner is still there; the deleted enrolment still counts in the anonymised analysis.
    expect(await t.db.query(`SELECT 1 FROM learners WHERE id = $1 AND erased_at IS NULL`, [learner.id])).toHaveLength(1);
    expect(Number((await t.db.query(`SELECT coalesce(sum(enrolments), 0) AS n FROM analysis_retired WHERE course_id = $1`, [course.id]))[0].n)).toBe(1);
    // Running again changes nothing more.
    const again = await t.app.get(RetentionJob).run();
    expect(again.CERTIFICATE).toBeUndefined();
    expect(again.ENROLMENT_ADMINISTRATION).toBeUndefined();
  });
});
