import { staffClaims, world } from '../factories/world';
import { SmtpSink } from '../utils/smtp-sink';
import { createTestApp, type TestApp } from '../utils/test-app';
import { RequestReminders } from '../../src/rights/request-reminders';

/**
 * The register of learner requests (docs/learner-rights.md): deadlines on the Amsterdam calendar,
 * extensions, answers, overdue requests, reminders, and the requests the API carries out at once.
 * Time moves through the database (a request's stored dates), never by waiting.
 */
describe('learner requests', () => {
  let t: TestApp;
  let w: ReturnType<typeof world>;
  let smtp: SmtpSink;
  let staff: string;

  const REQUEST = `id learnerId kind channel status receivedAt originalDueAt dueAt extendedUntil extensionReason overdue answeredAt answer recordedBy identityVerification`;

  beforeAll(async () => {
    smtp = await new SmtpSink().start();
    t = await createTestApp({ SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, PRIVACY_MAILBOX: 'privacy-team@provider.test' });
    w = world(t.db);
    staff = t.token(staffClaims((await w.organisation('PROVIDER')).id));
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  const learnerToken = async (over = {}) => {
    const learner = await w.learner(over);
    return { learner, token: t.token({ sub: learner.id, kind: 'LEARNER' }) };
  };
  const record = (learnerId: string, input: Record<string, unknown>) =>
    t.gql(staff, `mutation($i: RecordRequestInput!) { recordRequest(input: $i) { ${REQUEST} } }`, {
      i: { learnerId, kind: 'RECTIFICATION', channel: 'LETTER', identityVerification: 'copy of passport checked at the desk', ...input },
    });

  it('a learner files a request: due 28 days later, registered as theirs, and they are told', async () => {
    const { learner, token } = await learnerToken();
    const res = await t.gql(token, `mutation { fileRequest(input: { kind: RECTIFICATION, details: "My employment start date is wrong" }) { ${REQUEST} } }`);
    expect(res.errors).toBeUndefined();
    const r = res.data.fileRequest;
    expect(r).toMatchObject({ learnerId: learner.id, kind: 'RECTIFICATION', channel: 'API', status: 'RECEIVED', overdue: false, recordedBy: null });
    expect(new Date(r.dueAt).getTime() - new Date(r.receivedAt).getTime()).toBe(28 * 86_400_000);
    const [n] = await t.db.query(`SELECT kind, payload FROM notifications WHERE learner_id = $1`, [learner.id]);
    expect(n).toMatchObject({ kind: 'REQUEST_RECEIVED', payload: { requestId: r.id, requestKind: 'RECTIFICATION', dueAt: r.dueAt } });
  });

  it('the deadline is 28 days on the Amsterdam calendar, also across the change to summer time', async () => {
    const { learner } = await learnerToken();
    // 10 March 2026 10:00 in Amsterdam (CET, UTC+1) → 7 April 2026 10:00 (CEST, UTC+2): 27 days 23 hours.
    const res = await record(learner.id, { receivedAt: '2026-03-10T09:00:00.000Z' });
    expect(res.errors).toBeUndefined();
    expect(res.data.recordRequest).toMatchObject({ receivedAt: '2026-03-10T09:00:00.000Z', dueAt: '2026-04-07T08:00:00.000Z', channel: 'LETTER', recordedBy: 'staff:test' });
  });

  it('a learner sees only their own requests; another learner’s id answers exactly like an unknown one', async () => {
    const a = await learnerToken();
    const b = await learnerToken();
    const mine = (await t.gql(a.token, `mutation { fileRequest(input: { kind: ACCESS }) { id } }`)).data.fileRequest.id;
    const foreign = await t.gql(b.token, `query($id: ID!) { privacyRequest(id: $id) { id } }`, { id: mine });
    const unknown = await t.gql(b.token, `query($id: ID!) { privacyRequest(id: $id) { id } }`, { id: '0190a0b0-0000-7000-8000-000000000000' });
    expect(foreign.errors![0]).toEqual(unknown.errors![0]);
    expect(foreign.errors![0].extensions.code).toBe('NOT_FOUND');
    expect((await t.gql(b.token, `{ privacyRequests { id } }`)).data.privacyRequests).toEqual([]);
    expect((await t.gql(a.token, `{ privacyRequests { id } }`)).data.privacyRequests.map((r: { id: string }) => r.id)).toEqual([mine]);
    // Nor can a learner act on one: staff mutations are not theirs.
    expect((await t.gql(b.token, `mutation($id: ID!) { answerRequest(id: $id, answer: "x") { id } }`, { id: mine })).errors![0].extensions.code).toBe('FORBIDDEN');
  });

  it('extensions: only with a reason, later than the deadline, at most two months past the original; the learner is told', async () => {
    const { learner } = await learnerToken();
    const r = (await record(learner.id, { receivedAt: '2026-11-02T10:00:00.000Z' })).data.recordRequest;
    expect(r.dueAt).toBe('2026-11-30T10:00:00.000Z');
    const extend = (until: string, reason: string) =>
      t.gql(staff, `mutation($id: ID!, $u: DateTime!, $r: String!) { extendRequest(id: $id, until: $u, reason: $r) { ${REQUEST} } }`, { id: r.id, u: until, r: reason });
    const noReason = await extend('2027-01-15T10:00:00.000Z', '');
    expect(noReason.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'reason' } });
    const blank = await extend('2027-01-15T10:00:00.000Z', '   ');
    expect(blank.errors![0].extensions.code).toBe('BAD_USER_INPUT');
    // Due 30 November 11:00 in Amsterdam; two months on is 30 January 11:00 (10:00 UTC): one second more is too far.
    const tooFar = await extend('2027-01-30T10:00:01.000Z', 'complex request');
    expect(tooFar.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'until' } });
    const earlier = await extend('2026-11-20T10:00:00.000Z', 'complex request');
    expect(earlier.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'until' } });
    // Nothing changed by the refused ones.
    expect((await t.db.query(`SELECT due_at, extended_until FROM data_subject_requests WHERE id = $1`, [r.id]))[0]).toEqual({ due_at: new Date('2026-11-30T10:00:00Z'), extended_until: null });
    const ok = await extend('2027-01-30T10:00:00.000Z', 'We need to consult the accreditation body');
    expect(ok.errors).toBeUndefined();
    expect(ok.data.extendRequest).toMatchObject({ dueAt: '2027-01-30T10:00:00.000Z', originalDueAt: '2026-11-30T10:00:00.000Z', extensionReason: 'We need to consult the accreditation body' });
    const told = await t.db.query(`SELECT payload FROM notifications WHERE learner_id = $1 AND kind = 'REQUEST_EXTENDED'`, [learner.id]);
    expect(told).toEqual([{ payload: expect.objectContaining({ requestId: r.id, dueAt: '2027-01-30T10:00:00.000Z', reason: 'We need to consult the accreditation body' }) }]);
  });

  it('an answer is final: answering or rejecting again is a clear error and changes nothing', async () => {
    const { learner, token } = await learnerToken();
    const r = (await record(learner.id, { kind: 'RECTIFICATION' })).data.recordRequest;
    const answered = await t.gql(staff, `mutation($id: ID!) { answerRequest(id: $id, answer: "Corrected your employment start date.") { ${REQUEST} } }`, { id: r.id });
    expect(answered.data.answerRequest).toMatchObject({ status: 'ANSWERED', answer: 'Corrected your employment start date.' });
    const again = await t.gql(staff, `mutation($id: ID!) { answerRequest(id: $id, answer: "Something else") { id } }`, { id: r.id });
    expect(again.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringContaining('already answered') });
    const reject = await t.gql(staff, `mutation($id: ID!) { rejectRequest(id: $id, reason: "no") { id } }`, { id: r.id });
    expect(reject.errors![0].extensions.code).toBe('BAD_USER_INPUT');
    const seen = (await t.gql(token, `query($id: ID!) { privacyRequest(id: $id) { status answer } }`, { id: r.id })).data.privacyRequest;
    expect(seen).toEqual({ status: 'ANSWERED', answer: 'Corrected your employment start date.' });
    const kinds = (await t.db.query(`SELECT kind FROM notifications WHERE learner_id = $1 ORDER BY id`, [learner.id])).map((n: { kind: string }) => n.kind);
    expect(kinds).toEqual(['REQUEST_RECEIVED', 'REQUEST_ANSWERED']);
  });

  it('a rejection needs a reason, which the learner is told', async () => {
    const { learner } = await learnerToken();
    const r = (await record(learner.id, {})).data.recordRequest;
    expect((await t.gql(staff, `mutation($id: ID!) { rejectRequest(id: $id, reason: "") { id } }`, { id: r.id })).errors![0].extensions.code).toBe('BAD_USER_INPUT');
    const rejected = await t.gql(staff, `mutation($id: ID!) { rejectRequest(id: $id, reason: "Your identity could not be verified.") { status answer } }`, { id: r.id });
    expect(rejected.data.rejectRequest).toEqual({ status: 'REJECTED', answer: 'Your identity could not be verified.' });
    const [n] = await t.db.query(`SELECT payload FROM notifications WHERE learner_id = $1 AND kind = 'REQUEST_REJECTED'`, [learner.id]);
    expect(n.payload.reason).toBe('Your identity could not be verified.');
  });

  it('staff list open requests by due date; overdue ones are marked and can be listed alone', async () => {
    const { learner } = await learnerToken();
    const late = (await record(learner.id, { receivedAt: new Date(Date.now() - 40 * 86_400_000).toISOString() })).data.recordRequest;
    const fresh = (await record(learner.id, {})).data.recordRequest;
    expect(late.overdue).toBe(true);
    expect(fresh.overdue).toBe(false);
    const overdue = (await t.gql(staff, `{ privacyRequests(overdueOnly: true) { id overdue } }`)).data.privacyRequests;
    expect(overdue).toContainEqual({ id: late.id, overdue: true });
    expect(overdue.map((r: { id: string }) => r.id)).not.toContain(fresh.id);
    const open = (await t.gql(staff, `{ privacyRequests(openOnly: true) { id dueAt } }`)).data.privacyRequests as { id: string; dueAt: string }[];
    const dues = open.map((r) => r.dueAt);
    expect(dues).toEqual([...dues].sort());
    expect(open.findIndex((r) => r.id === late.id)).toBeLessThan(open.findIndex((r) => r.id === fresh.id));
  });

  it('bad input: a future receipt, an unknown learner, the API channel for staff, a non-uuid id', async () => {
    const { learner } = await learnerToken();
    expect((await record(learner.id, { receivedAt: new Date(Date.now() + 86_400_000).toISOString() })).errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.receivedAt' } });
    expect((await record('0190a0b0-0000-7000-8000-000000000001', {})).errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.learnerId' } });
    expect((await record(learner.id, { channel: 'API' })).errors![0].extensions.code).toBe('BAD_USER_INPUT');
    expect((await t.gql(staff, `{ privacyRequest(id: "nope") { id } }`)).errors![0].extensions.code).toBe('NOT_FOUND');
    expect(await t.db.query(`SELECT 1 FROM data_subject_requests WHERE learner_id = $1`, [learner.id])).toEqual([]);
  });

  it('reminders go 7 days and 1 day before the deadline, each once, in-app and to the privacy mailbox', async () => {
    await t.db.query(`UPDATE data_subject_requests SET reminded_week_at = now(), reminded_day_at = now()`); // earlier tests' requests
    const reminders = t.app.get(RequestReminders);
    const { learner } = await learnerToken();
    // Received 22 days ago: due in 6 days.
    const r = (await record(learner.id, { kind: 'ACCESS', receivedAt: new Date(Date.now() - 22 * 86_400_000).toISOString() })).data.recordRequest;
    await t.db.query(`UPDATE data_subject_requests SET reminded_week_at = NULL, reminded_day_at = NULL WHERE id = $1`, [r.id]);
    const mails = smtp.received.length;
    expect((await reminders.run()).map((d) => [d.id, d.which])).toEqual([[r.id, 'WEEK']]);
    expect(await reminders.run()).toEqual([]);
    // A day before: move the deadline to 20 hours from now (the database clock).
    await t.db.query(`UPDATE data_subject_requests SET due_at = now() + interval '20 hours' WHERE id = $1`, [r.id]);
    expect((await reminders.run()).map((d) => [d.id, d.which])).toEqual([[r.id, 'DAY']]);
    expect(await reminders.run()).toEqual([]);
    const alerts = (await t.gql(staff, `{ staffAlerts(unreadOnly: true) { kind requestId } }`)).data.staffAlerts;
    expect(alerts).toEqual(expect.arrayContaining([{ kind: 'REQUEST_DUE_IN_A_WEEK', requestId: r.id }, { kind: 'REQUEST_DUE_TOMORROW', requestId: r.id }]));
    const sent = smtp.received.slice(mails);
    expect(sent.map((m) => m.to)).toEqual(['privacy-team@provider.test', 'privacy-team@provider.test']);
    expect(sent[0].text).toContain(r.id);
    expect(sent[1].text).toContain('within a day');
    expect((await t.gql(staff, `mutation { markStaffAlertsRead }`)).data.markStaffAlertsRead).toBeGreaterThanOrEqual(2);
    expect((await t.gql(staff, `{ staffAlerts(unreadOnly: true) { id } }`)).data.staffAlerts).toEqual([]);
  });

  it('a consent withdrawal and a restriction register themselves, answered at once, in their own transaction', async () => {
    const { token } = await learnerToken();
    const employer = await w.organisation('EMPLOYER');
    const granted = await t.gql(token, `mutation($r: ID!) { grantConsent(input: { recipientId: $r, categories: [PROGRESS], consentTextVersion: "v3" }) { agreementId } }`, { r: employer.id });
    expect(granted.errors).toBeUndefined();
    expect((await t.gql(token, `mutation($a: ID!) { withdrawConsent(agreementId: $a) { revokedAt } }`, { a: granted.data.grantConsent.agreementId })).errors).toBeUndefined();
    expect((await t.gql(token, `mutation { requestRestriction(reason: "I dispute my results") { id } }`)).errors).toBeUndefined();
    const mine = (await t.gql(token, `{ privacyRequests { kind channel status answeredAt receivedAt identityVerification } }`)).data.privacyRequests;
    expect(mine.map((r: { kind: string }) => r.kind).sort()).toEqual(['CONSENT_WITHDRAWAL', 'RESTRICTION']);
    for (const r of mine) {
      expect(r).toMatchObject({ channel: 'API', status: 'ANSWERED' });
      expect(r.answeredAt).toBe(r.receivedAt);
      expect(r.identityVerification).toContain('token');
    }
  });
});
