import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign } from 'jsonwebtoken';
import { SigningKeyService } from '../../src/auth/signing-key.service';
import { SECTION_OF_TABLE } from '../../src/rights/export/export-data';
import { ExportService } from '../../src/rights/export/export.service';
import { staffClaims, world } from '../factories/world';
import { SmtpSink } from '../utils/smtp-sink';
import { createTestApp, TEST_AUDIENCE, TEST_ISSUER, type TestApp } from '../utils/test-app';

const ROOT = join(__dirname, '..', '..');
const DIR = mkdtempSync(join(tmpdir(), 'rsa-export-'));

/** The text of a PDF, read back with pdf.js in a child process (test/utils/pdf-text.mjs). */
function pdfText(pdf: Buffer): { pages: number; text: string } {
  const file = join(DIR, `${Date.now()}-${Math.random()}.pdf`);
  writeFileSync(file, pdf);
  const out = JSON.parse(execFileSync(process.execPath, [join(ROOT, 'test', 'utils', 'pdf-text.mjs'), file], { maxBuffer: 64 * 1024 * 1024 }).toString()) as { pages: number; text: string[] };
  return { pages: out.pages, text: out.text.join('\n').replace(/\s+/g, ' ') };
}

/**
 * The access and portability export (docs/learner-rights.md, "Export"): built by the job queue (the
 * in-process workers), the learner told, downloaded over a short-lived signed link, JSON that
 * validates against its published schema, a real PDF in the learner's language read back, every
 * table that names a learner covered, no ledger entry, and expiry that deletes the files.
 */
describe('learner export', () => {
  let t: TestApp;
  let w: ReturnType<typeof world>;
  let smtp: SmtpSink;
  let staff: string;

  beforeAll(async () => {
    smtp = await new SmtpSink().start();
    t = await createTestApp({ WORKERS_IN_PROCESS: 'true', NOTIFY_POLL_SECONDS: '1', SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, CONTROLLER_NAME: 'Leerhuis Online' });
    w = world(t.db);
    staff = t.token(staffClaims((await w.organisation('PROVIDER')).id));
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  /** A learner with a history in every table that can name them. */
  async function learnerWithHistory(locale: 'nl' | 'en', name: string) {
    const employer = await w.organisation('EMPLOYER', `Zorggroep Noord ${Math.random().toString(36).slice(2, 6)}`);
    const broker = await w.organisation('BROKER', `Opleidingsbureau West ${Math.random().toString(36).slice(2, 6)}`);
    const learner = await w.learner({ locale, name: `${name} (typo)` });
    const employment = await w.employment(learner.id, employer.id);
    const course = await w.course({ title: `Veilig werken met medicatie ${Math.random().toString(36).slice(2, 6)}` });
    const enrolment = await w.enrolment(learner.id, course.id, employer.id, { sponsorEmployerId: employer.id, status: 'COMPLETED', progressPercent: 100, completedAt: new Date() });
    await w.result(enrolment.id);
    await w.certificate(enrolment.id);
    // One the broker made under its mandate: the broker reads it on behalf of the employer.
    const brokerCourse = await w.course({ title: `Tilvaardigheden ${Math.random().toString(36).slice(2, 6)}` });
    await w.enrolment(learner.id, brokerCourse.id, broker.id, { sponsorEmployerId: employer.id, status: 'IN_PROGRESS', progressPercent: 40 });
    await w.agreement({ recipientId: employer.id, basis: 'PROCESSOR', categories: ['PROGRESS', 'COMPLETION', 'ASSESSMENT_RESULTS'] });
    await w.mandate(broker.id, employer.id);
    const token = t.token({ sub: learner.id, kind: 'LEARNER' });
    const hr = t.token((await w.apiClient(employer)).claims);
    const brokerToken = t.token((await w.apiClient(broker)).claims);
    const PAGE = `{ learners { nodes { id enrolments { progressPercent completed assessmentResults { score } } } } }`;
    expect((await t.gql(hr, PAGE)).errors).toBeUndefined();
    expect((await t.gql(brokerToken, PAGE)).errors).toBeUndefined();
    // The levers and corrections, so that those tables hold rows too.
    const consent = await t.gql(token, `mutation($r: ID!) { grantConsent(input: { recipientId: $r, categories: [CERTIFICATES], consentTextVersion: "v3" }) { agreementId } }`, { r: employer.id });
    expect(consent.errors).toBeUndefined();
    const li = await w.agreement({ recipientId: employer.id, basis: 'LEGITIMATE_INTEREST', categories: ['ENROLMENT_STATUS'] });
    expect((await t.gql(token, `mutation($a: ID!) { objectToLegitimateInterest(agreementId: $a, grounds: "Not needed") { id } }`, { a: li.agreementId })).errors).toBeUndefined();
    expect((await t.gql(token, `mutation { requestRestriction(reason: "checking") { id } }`)).errors).toBeUndefined();
    expect((await t.gql(token, `mutation { liftRestriction { id } }`)).errors).toBeUndefined();
    expect((await t.gql(token, `mutation { updateMyProfile(input: { name: "${name}" }) { name } }`)).errors).toBeUndefined();
    expect((await t.gql(hr, `mutation($id: ID!) { updateEmployment(id: $id, input: { employeeNumber: "N-${Math.random().toString(36).slice(2, 8)}" }) { employeeNumber } }`, { id: employment.id })).errors).toBeUndefined();
    return { learner, employer, broker, course, brokerCourse, token, hr, employment };
  }

  async function exportFor(token: string) {
    const filed = await t.gql(token, `mutation { fileRequest(input: { kind: ACCESS }) { id status } }`);
    expect(filed.errors).toBeUndefined();
    const requestId = filed.data.fileRequest.id as string;
    // Built by the job queue (pg-boss polls every second): wait for the condition, bounded.
    let exp: { id: string; status: string } | undefined;
    for (let i = 0; i < 300; i++) {
      exp = (await t.gql(token, `{ learnerExports { id status requestId pdfBytes jsonBytes expiresAt } }`)).data.learnerExports.find((e: { requestId: string }) => e.requestId === requestId);
      if (exp?.status === 'READY') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(exp?.status).toBe('READY');
    return { requestId, exportId: exp!.id };
  }

  async function download(token: string, exportId: string, format: 'PDF' | 'JSON') {
    const link = await t.gql(token, `mutation($e: ID!, $f: ExportFormat!) { exportDownloadLink(exportId: $e, format: $f) { url expiresAt } }`, { e: exportId, f: format });
    expect(link.errors).toBeUndefined();
    const url = new URL(link.data.exportDownloadLink.url);
    const res = await t.http().get(`${url.pathname}${url.search}`).buffer(true).parse((r, cb) => {
      const parts: Buffer[] = [];
      r.on('data', (c: Buffer) => parts.push(c));
      r.on('end', () => cb(null, Buffer.concat(parts)));
    });
    return { res, body: res.body as Buffer, path: `${url.pathname}${url.search}` };
  }

  it('every table that names a learner is covered by a section of the export', async () => {
    // Tables with a learner_id column, and tables that reach learners through foreign keys.
    const rows = await t.admin.query<{ table: string }[]>(
      `WITH RECURSIVE owned(tbl) AS (
         SELECT 'learners'::regclass
         UNION SELECT c.conrelid::regclass FROM pg_constraint c JOIN owned o ON c.confrelid = o.tbl WHERE c.contype = 'f')
       SELECT tbl::text AS table FROM owned
       UNION SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'learner_id'`,
    );
    const tables = rows.map((r) => r.table.replace(/^public\./, '')).sort();
    expect(tables.filter((tbl) => !(tbl in SECTION_OF_TABLE))).toEqual([]);
    expect(Object.keys(SECTION_OF_TABLE).filter((tbl) => !tables.includes(tbl))).toEqual([]);
  });

  it('a Dutch learner files an access request, is told, and downloads a PDF in Dutch and JSON that matches its schema and every table', async () => {
    const h = await learnerWithHistory('nl', 'Łukasz de Vries');
    const ledgerBefore = Number((await t.db.query(`SELECT count(*) FROM disclosures`))[0].count);
    const { requestId, exportId } = await exportFor(h.token);
    // No ledger entry: the export goes to the data subject, not to a recipient.
    expect(Number((await t.db.query(`SELECT count(*) FROM disclosures`))[0].count)).toBe(ledgerBefore);
    // The request is answered by the export; the learner is told in-app (and by email).
    const request = (await t.gql(h.token, `query($id: ID!) { privacyRequest(id: $id) { status answer } }`, { id: requestId })).data.privacyRequest;
    expect(request.status).toBe('ANSWERED');
    expect(request.answer).toContain(exportId);
    const kinds = (await t.db.query(`SELECT kind FROM notifications WHERE learner_id = $1`, [h.learner.id])).map((n: { kind: string }) => n.kind);
    expect(kinds).toEqual(expect.arrayContaining(['REQUEST_RECEIVED', 'EXPORT_READY', 'REQUEST_ANSWERED']));

    const json = await download(h.token, exportId, 'JSON');
    expect(json.res.status).toBe(200);
    expect(json.res.headers['content-type']).toContain('application/json');
    const data = JSON.parse(json.body.toString('utf8'));
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'docs', 'learner-export.schema.json'), 'utf8')));
    expect(validate.errors ?? validate(data) ? [] : validate.errors).toEqual([]);
    // Every row that names the learner, counted table by table.
    const count = async (sql: string) => Number((await t.db.query(sql, [h.learner.id]))[0].n);
    expect(data.learner.id).toBe(h.learner.id);
    expect(data.employments).toHaveLength(await count(`SELECT count(*) n FROM employments WHERE learner_id = $1`));
    expect(data.enrolments).toHaveLength(await count(`SELECT count(*) n FROM enrolments WHERE learner_id = $1`));
    expect(data.enrolments.flatMap((e: { assessmentResults: unknown[] }) => e.assessmentResults)).toHaveLength(
      await count(`SELECT count(*) n FROM assessment_results r JOIN enrolments e ON e.id = r.enrolment_id WHERE e.learner_id = $1`),
    );
    expect(data.enrolments.flatMap((e: { certificates: unknown[] }) => e.certificates)).toHaveLength(await count(`SELECT count(*) n FROM certificates r JOIN enrolments e ON e.id = r.enrolment_id WHERE e.learner_id = $1`));
    expect(data.disclosures).toHaveLength(await count(`SELECT count(*) n FROM disclosures WHERE learner_id = $1`));
    expect(data.disclosures.length).toBeGreaterThanOrEqual(2);
    expect(data.objections).toHaveLength(await count(`SELECT count(*) n FROM objections WHERE learner_id = $1`));
    expect(data.restrictions).toHaveLength(await count(`SELECT count(*) n FROM restrictions WHERE learner_id = $1`));
    expect(data.requests).toHaveLength(await count(`SELECT count(*) n FROM data_subject_requests WHERE learner_id = $1`));
    expect(data.profileChanges.length).toBeGreaterThanOrEqual(1);
    expect(data.profileChanges).toHaveLength(await count(`SELECT count(*) n FROM learner_changes WHERE learner_id = $1`));
    expect(data.profileChanges.map((c: { record: string; field: string }) => `${c.record}.${c.field}`)).toEqual(expect.arrayContaining(['LEARNER.name', 'EMPLOYMENT.employeeNumber']));
    expect(data.exports.map((e: { id: string }) => e.id)).toContain(exportId);
    const consentRows = await count(`SELECT count(*) n FROM sharing_agreements WHERE learner_id = $1`);
    expect(data.agreements.filter((a: { covers: string }) => a.covers === 'YOU')).toHaveLength(consentRows);
    expect(data.agreements.map((a: { recipient: { name: string } }) => a.recipient.name)).toContain(h.employer.name);
    // Written before the export was made: everything up to its own request.
    expect(data.notifications.length).toBeGreaterThanOrEqual(await count(`SELECT count(*) n FROM notifications WHERE learner_id = $1 AND kind <> 'EXPORT_READY' AND kind <> 'REQUEST_ANSWERED'`));
    // Names, not only ids: the recipient, on whose behalf, the course.
    const byBroker = data.disclosures.find((d: { recipient: { id: string } }) => d.recipient.id === h.broker.id);
    expect(byBroker.recipient.name).toBe(h.broker.name);
    const item = byBroker.items.find((i: { course: { id: string } }) => i.course.id === h.brokerCourse.id);
    expect(item.course.name).toBe(h.brokerCourse.title);
    expect(item.categories[0].onBehalfOf).toEqual({ id: h.employer.id, name: h.employer.name });

    const pdf = await download(h.token, exportId, 'PDF');
    expect(pdf.res.status).toBe(200);
    expect(pdf.res.headers['content-type']).toBe('application/pdf');
    expect(pdf.body.subarray(0, 5).toString()).toBe('%PDF-');
    const { pages, text } = pdfText(pdf.body);
    expect(pages).toBeGreaterThan(3);
    expect(text).toContain('Uw gegevens bij Leerhuis Online');
    expect(text).toContain('Łukasz de Vries');
    expect(text).toContain(h.employer.name);
    expect(text).toContain(h.broker.name);
    expect(text).toContain(h.course.title);
    expect(text).toContain('Met wie wij uw gegevens deelden');
    const today = new Intl.DateTimeFormat('nl-NL', { dateStyle: 'long', timeZone: 'Europe/Amsterdam' }).format(new Date(data.disclosures[0].disclosedAt));
    expect(text).toContain(today);
    expect(today).toMatch(/^\d{1,2} [a-z]+ \d{4}$/); // e.g. "28 november 2026"
    writeFileSync(join(DIR, 'nl.pdf'), pdf.body);

    // The email telling the learner it is ready went out, in Dutch.
    for (let i = 0; i < 100 && !smtp.received.some((m) => m.to === h.learner.email && m.text.includes('kopie')); i++) await new Promise((r) => setTimeout(r, 100));
    expect(smtp.received.find((m) => m.to === h.learner.email && m.text.includes('kopie'))?.text).toContain('staat klaar');
  });

  it('an English learner gets the PDF in English; staff can run the export for a request received by email', async () => {
    const h = await learnerWithHistory('en', 'Ann Smith');
    const recorded = await t.gql(staff, `mutation($l: ID!) { recordRequest(input: { learnerId: $l, kind: PORTABILITY, channel: EMAIL, identityVerification: "replied from the address on file" }) { id status } }`, {
      l: h.learner.id,
    });
    expect(recorded.errors).toBeUndefined();
    const requestId = recorded.data.recordRequest.id;
    let exp: { id: string; status: string } | undefined;
    for (let i = 0; i < 300 && exp?.status !== 'READY'; i++) {
      exp = (await t.gql(staff, `query($l: ID!) { learnerExports(learnerId: $l) { id status requestId } }`, { l: h.learner.id })).data.learnerExports.find((e: { requestId: string }) => e.requestId === requestId);
      if (exp?.status !== 'READY') await new Promise((r) => setTimeout(r, 100));
    }
    expect(exp?.status).toBe('READY');
    const pdf = await download(staff, exp!.id, 'PDF');
    const { text } = pdfText(pdf.body);
    expect(text).toContain('Your data at Leerhuis Online');
    expect(text).toContain('Ann Smith');
    expect(text).toContain('Whom we shared your data with');
    expect(text).toContain(new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'Europe/Amsterdam' }).format(new Date()));
    expect(text).toContain(h.course.title);
    writeFileSync(join(DIR, 'en.pdf'), pdf.body);
  });

  it("links: another learner's export is not found, a forged or expired link is refused, an expired export is gone", async () => {
    const a = await learnerWithHistory('nl', 'Anna Jansen');
    const b = await learnerWithHistory('nl', 'Bram Bakker');
    const { exportId } = await exportFor(a.token);
    // B cannot mint a link for A's export: exactly like an unknown id.
    const foreign = await t.gql(b.token, `mutation($e: ID!) { exportDownloadLink(exportId: $e, format: PDF) { url } }`, { e: exportId });
    const unknown = await t.gql(b.token, `mutation($e: ID!) { exportDownloadLink(exportId: $e, format: PDF) { url } }`, { e: '0190a0b0-0000-7000-8000-000000000002' });
    expect(foreign.errors![0]).toEqual(unknown.errors![0]);
    // A link for the JSON does not open the PDF; a link for one export does not open another.
    const json = await download(a.token, exportId, 'JSON');
    expect((await t.http().get(json.path.replace('/json?', '/pdf?'))).status).toBe(401);
    // An expired link (signed by the API's own key, an hour ago).
    const key = t.app.get(SigningKeyService).signingKey();
    const expired = sign({ fmt: 'pdf', by: `learner:${a.learner.id}`, exp: Math.floor(Date.now() / 1000) - 60 }, key.privateKeyPem, {
      algorithm: 'ES256',
      keyid: key.kid,
      issuer: TEST_ISSUER,
      audience: `${TEST_AUDIENCE}/export-download`,
      subject: exportId,
    });
    const late = await t.http().get(`/exports/${exportId}/pdf?token=${expired}`);
    expect(late.status).toBe(401);
    expect(late.body.error).toBe('link_expired');
    // An access token is not a link.
    expect((await t.http().get(`/exports/${exportId}/pdf?token=${a.token}`)).status).toBe(401);
    expect((await t.http().get(`/exports/${exportId}/pdf`)).status).toBe(401);
    // Expiry deletes the files (moved through the database clock, then the scheduled job's work).
    await t.db.query(`UPDATE learner_exports SET expires_at = now() - interval '1 second' WHERE id = $1`, [exportId]);
    expect(await t.app.get(ExportService).expire()).toBeGreaterThanOrEqual(1);
    expect(await t.db.query(`SELECT 1 FROM learner_export_chunks WHERE export_id = $1`, [exportId])).toEqual([]);
    expect((await t.http().get(json.path)).status).toBe(410);
    const again = await t.gql(a.token, `mutation($e: ID!) { exportDownloadLink(exportId: $e, format: PDF) { url } }`, { e: exportId });
    expect(again.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringContaining('expired') });
  });

  it('a history longer than a page of rows is read whole, once each, in order, across pages', async () => {
    const { DisclosureLedgerService, ledgerEntry } = await import('../../src/disclosures/disclosure-ledger.service');
    const { itemOf } = await import('../../src/disclosures/disclosure-item');
    const { ExportReader } = await import('../../src/rights/export/export-data');
    const employer = await w.organisation('EMPLOYER');
    const learner = await w.learner({ locale: 'nl' });
    await w.employment(learner.id, employer.id);
    const course = await w.course({});
    const enrolment = await w.enrolment(learner.id, course.id, employer.id, { sponsorEmployerId: employer.id });
    const a = await w.agreement({ recipientId: employer.id, basis: 'PROCESSOR', categories: ['PROGRESS'] });
    const grant = { basis: a.basis, agreementId: a.agreementId, agreementVersionId: a.id, agreementVersion: a.version, onBehalfOf: null };
    const items = [itemOf(enrolment.id, course.id, [{ category: 'PROGRESS', grant }])];
    // 600 entries, as pages write them (two batches): more than two of the reader's pages of 250.
    const ledger = t.app.get(DisclosureLedgerService);
    const written: string[] = [];
    for (const n of [500, 100]) {
      const now = Date.now();
      const request = { disclosedAt: new Date(now).toISOString(), requestId: `long-history-${n}`, operationName: 'LongHistory', recipientId: employer.id, actorSubject: 'test', apiClientId: null };
      const entries = Array.from({ length: n }, () => ledgerEntry(request, 'DISCLOSURE', learner.id, { items }, now));
      await ledger.write({ ...request, entries });
      written.push(...entries.map((e) => e.id));
    }
    await t.db.transaction('REPEATABLE READ', async (em) => {
      const reader = new ExportReader(em, learner.id);
      const read: string[] = [];
      let pages = 0;
      for await (const page of reader.disclosures()) {
        pages++;
        read.push(...page.map((d) => d.id));
        for (const d of page) expect(d.items[0]).toMatchObject({ enrolmentId: enrolment.id, categories: [{ category: 'PROGRESS', basis: 'PROCESSOR' }] });
      }
      expect(pages).toBeGreaterThanOrEqual(3);
      expect(read).toEqual([...written].sort());
      let inbox = 0;
      for await (const page of reader.notifications()) inbox += page.length;
      expect(inbox).toBe(600);
    });
  });

  it('rectification: the learner corrects their own profile only; the employer corrects its own employees’ data; each change is logged', async () => {
    const h = await learnerWithHistory('en', 'Chris Doe');
    const other = await w.organisation('EMPLOYER');
    const otherHr = t.token((await w.apiClient(other)).claims);
    const own = await t.gql(h.token, `mutation { updateMyProfile(input: { email: "chris.new@example.test", locale: nl }) { email locale } }`);
    expect(own.data.updateMyProfile).toEqual({ email: 'chris.new@example.test', locale: 'nl' });
    // null is not "leave as it is": a clear error naming the field, nothing written.
    const nulled = await t.gql(h.token, `mutation { updateMyProfile(input: { name: null }) { name } }`);
    expect(nulled.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(JSON.stringify(nulled.errors![0].extensions)).toContain('input.name');
    expect((await t.gql(h.hr, `mutation($id: ID!) { updateEmployment(id: $id, input: { employeeNumber: null }) { id } }`, { id: h.employment.id })).errors![0].extensions.code).toBe('BAD_USER_INPUT');
    // An employer cannot reopen an ended employment (it would share again); the provider can.
    await t.db.query(`UPDATE employments SET ended_on = '2025-01-31' WHERE id = $1`, [h.employment.id]);
    const reopen = await t.gql(h.hr, `mutation($id: ID!) { updateEmployment(id: $id, input: { endedOn: null }) { id } }`, { id: h.employment.id });
    expect(reopen.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.endedOn' } });
    expect((await t.gql(staff, `mutation($id: ID!) { updateEmployment(id: $id, input: { endedOn: null }) { endedOn } }`, { id: h.employment.id })).data.updateEmployment.endedOn).toBeNull();
    expect((await t.gql(staff, `{ learnerExports(learnerId: "abc") { id } }`)).errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'learnerId' } });
    // Employer-supplied data is not the learner's to change.
    expect((await t.gql(h.token, `mutation($id: ID!) { updateEmployment(id: $id, input: { employeeNumber: "X" }) { id } }`, { id: h.employment.id })).errors![0].extensions.code).toBe('FORBIDDEN');
    // Another employer's employee answers like an unknown id.
    const foreign = await t.gql(otherHr, `mutation($id: ID!) { updateEmployment(id: $id, input: { startedOn: "2023-01-01" }) { id } }`, { id: h.employment.id });
    expect(foreign.errors![0].extensions.code).toBe('NOT_FOUND');
    const changes = await t.db.query(`SELECT record, field, changed_by FROM learner_changes WHERE learner_id = $1 ORDER BY id`, [h.learner.id]);
    expect(changes).toEqual(
      expect.arrayContaining([
        { record: 'LEARNER', field: 'email', changed_by: `learner:${h.learner.id}` },
        { record: 'LEARNER', field: 'locale', changed_by: `learner:${h.learner.id}` },
        { record: 'EMPLOYMENT', field: 'employeeNumber', changed_by: expect.any(String) },
      ]),
    );
    expect(changes.filter((c: { field: string }) => c.field === 'startedOn')).toEqual([]);
    const registered = (await t.gql(h.token, `{ privacyRequests { kind status } }`)).data.privacyRequests;
    expect(registered).toContainEqual({ kind: 'RECTIFICATION', status: 'ANSWERED' });
  });
});
