import { staffClaims, world } from '../factories/world';
import { SmtpSink } from '../utils/smtp-sink';
import { countQueries } from '../utils/query-counter';
import { createTestApp, type TestApp } from '../utils/test-app';

const DAY = 86_400_000;
const PAGE = `query HrSync { learners { nodes { id enrolments { id progressPercent completed status withheld { field } } } } }`;

/**
 * The disclosure ledger and the learner's notifications (docs/ledger-and-notifications.md), over HTTP, with a real
 * SMTP server in the test and the notification workers running inside the app.
 */
describe('disclosure ledger and notifications', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let w: ReturnType<typeof world>;
  let providerId: string;
  let staff: string;

  beforeAll(async () => {
    smtp = await new SmtpSink().start();
    t = await createTestApp({ WORKERS_IN_PROCESS: 'true', SMTP_URL: smtp.url, NOTIFY_POLL_SECONDS: '1', NOTIFY_RETRY_LIMIT: '1', NOTIFY_RETRY_DELAY_SECONDS: '1' });
    w = world(t.db);
    providerId = (await w.organisation('PROVIDER', 'Leerhuis')).id;
    staff = t.token(staffClaims(providerId));
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  const count = async (sql: string, params: unknown[] = []) => (await t.db.query(sql, params))[0].n as number;

  /** An employer whose HR portal may see PROGRESS and COMPLETION of one employee's sponsored course. */
  async function scene(locale: 'nl' | 'en' = 'nl') {
    const employer = await w.organisation('EMPLOYER', `Zorggroep ${Math.random().toString(36).slice(2, 7)}`);
    const learner = await w.learner({ locale, name: locale === 'nl' ? 'Sanne Visser' : 'Sam Smith' });
    await w.employment(learner.id, employer.id, { startedOn: '2020-01-01' });
    const course = await w.course({ title: locale === 'nl' ? 'Medisch rekenen' : 'Medication maths' });
    const enrolment = await w.enrolment(learner.id, course.id, providerId, { sponsorEmployerId: employer.id, progressPercent: 60, status: 'IN_PROGRESS' });
    const agreement = await w.agreement({ recipientId: employer.id, basis: 'PROCESSOR', categories: ['PROGRESS', 'COMPLETION'], validFrom: new Date(Date.now() - DAY) });
    const client = await w.apiClient(employer);
    return { employer, learner, course, enrolment, agreement, hr: t.token(client.claims), client };
  }

  it('an HR-portal read writes one ledger entry per learner before the response, and the learner gets an email (nl)', async () => {
    const s = await scene('nl');
    const res = await t.http().post('/graphql').set('authorization', `Bearer ${s.hr}`).set('x-request-id', 'req-ledger-test-1').send({ query: PAGE });
    expect(res.body.data.learners.nodes[0].enrolments[0].progressPercent).toBe(60);

    const [entry] = await t.db.query(`SELECT * FROM disclosures WHERE learner_id = $1`, [s.learner.id]);
    expect(entry).toMatchObject({ request_id: 'req-ledger-test-1', operation_name: 'HrSync', recipient_id: s.employer.id, actor_subject: s.client.claims.sub, api_client_id: s.client.client.clientId });
    // The hashed content names each agreement version once, with the categories it allowed.
    expect(JSON.parse(entry.content).items).toEqual([
      {
        enrolmentId: s.enrolment.id,
        courseId: s.course.id,
        grants: [{ categories: ['PROGRESS', 'COMPLETION'], basis: 'PROCESSOR', agreementId: s.agreement.agreementId, agreementVersionId: s.agreement.id, agreementVersion: 1, onBehalfOf: null }],
      },
    ]);
    expect(await count(`SELECT count(*)::int AS n FROM notifications WHERE disclosure_id = $1`, [entry.id])).toBe(1);

    const [mail] = (await smtp.waitFor((m) => m.some((x) => x.disclosureIds.includes(entry.id)))).filter((m) => m.disclosureIds.includes(entry.id));
    expect(mail.to).toContain(s.learner.email);
    expect(mail.subject).toBe('Wij hebben uw studiegegevens gedeeld');
    expect(mail.text).toContain(s.employer.name);
    expect(mail.text).toContain('"Medisch rekenen"');
    expect(mail.text).toContain('voortgang en afronding');
    expect(mail.text).toContain('in opdracht van uw werkgever');
    expect(mail.text).toMatch(/toestemming .* intrekken, bezwaar maken/);
    expect(mail.html).toContain('<li>');
    expect(mail.messageId).toMatch(/^<[0-9a-f]{40}@results-sharing-api>$/);
    // The SMTP server has the message before the worker's transaction marking it sent commits:
    // wait (bounded) for that commit, then compare.
    let notification: { email_message_id: string | null } | undefined;
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
      [notification] = await t.db.query(`SELECT emailed_at, email_message_id FROM notifications WHERE disclosure_id = $1`, [entry.id]);
      if (notification?.email_message_id) break;
    }
    expect(notification?.email_message_id).toBe(mail.messageId);
  });

  it('in English for a learner whose locale is en', async () => {
    const s = await scene('en');
    await t.gql(s.hr, PAGE);
    const mails = await smtp.waitFor((m) => m.some((x) => x.to.includes(s.learner.email)));
    const mail = mails.find((x) => x.to.includes(s.learner.email))!;
    expect(mail.subject).toBe('We shared your study data');
    expect(mail.text).toContain('received your progress and completion for the course "Medication maths"');
    expect(mail.text).toContain('on behalf of your employer');
    expect(mail.text).toContain('withdraw your consent at any time');
  });

  it('a read that disclosed nothing gated writes nothing', async () => {
    const s = await scene();
    const before = await count(`SELECT count(*)::int AS n FROM disclosures`);
    await t.gql(s.hr, `{ learners { nodes { id name enrolments { id timeSpentMinutes } } } }`); // TIME_SPENT is not shared
    expect(await count(`SELECT count(*)::int AS n FROM disclosures`)).toBe(before);
  });

  describe('fail closed', () => {
    async function withTrigger<T>(table: string, fn: () => Promise<T>): Promise<T> {
      await t.admin.query(`CREATE OR REPLACE FUNCTION test_fail() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql`);
      await ddl(`CREATE TRIGGER test_fail BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION test_fail()`);
      try {
        return await fn();
      } finally {
        await ddl(`DROP TRIGGER test_fail ON ${table}`);
      }
    }

    /**
     * A trigger on pg-boss's job table (partitioned) locks it and its partitions in turn, while
     * the in-process workers' polls lock them in theirs: PostgreSQL may break that deadlock by
     * failing the DDL. It is then tried again, so a trigger is never left behind for the tests after.
     */
    async function ddl(sql: string): Promise<void> {
      for (let attempt = 1; ; attempt++) {
        try {
          await t.admin.query(sql);
          return;
        } catch (e) {
          if ((e as { driverError?: { code?: string } }).driverError?.code !== '40P01' || attempt === 10) throw e;
          await new Promise((r) => setTimeout(r, 20 * attempt));
        }
      }
    }

    it('the ledger insert fails: the response carries no gated value, and nothing is queued', async () => {
      const s = await scene();
      const res = await withTrigger('disclosures', () => t.http().post('/graphql').set('authorization', `Bearer ${s.hr}`).send({ query: PAGE }));
      expect(res.status).toBe(503);
      expect(res.body.data).toBeUndefined();
      expect(res.body.errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
      expect(JSON.stringify(res.body)).not.toContain('60');
      expect(await count(`SELECT count(*)::int AS n FROM notifications WHERE learner_id = $1`, [s.learner.id])).toBe(0);
    });

    it('the enqueue fails: no ledger row, no notification and no data', async () => {
      const s = await scene();
      const res = await withTrigger('pgboss.job', () => t.http().post('/graphql').set('authorization', `Bearer ${s.hr}`).send({ query: PAGE }));
      expect(res.status).toBe(503);
      expect(res.body.data).toBeUndefined();
      expect(await count(`SELECT count(*)::int AS n FROM disclosures WHERE learner_id = $1`, [s.learner.id])).toBe(0);
      expect(await count(`SELECT count(*)::int AS n FROM notifications WHERE learner_id = $1`, [s.learner.id])).toBe(0);
    });

    it('a request that fails after the gate leaves neither', async () => {
      const s = await scene();
      // learners resolves (and is gated), then the non-null learner(id:) fails: no data at all leaves
      const res = await t.gql(s.hr, `{ learners { nodes { enrolments { progressPercent } } } learner(id: "00000000-0000-4000-8000-00000000beef") { id } }`);
      expect(res.data).toBeNull();
      expect(await count(`SELECT count(*)::int AS n FROM disclosures WHERE learner_id = $1`, [s.learner.id])).toBe(0);
      expect(await count(`SELECT count(*)::int AS n FROM notifications WHERE learner_id = $1`, [s.learner.id])).toBe(0);
    });
  });

  it('reading the ledger: the recipient what it received, the learner everything about them, another employer nothing', async () => {
    const s = await scene();
    await t.gql(s.hr, PAGE);
    await t.gql(s.hr, PAGE);
    const Q = `{ disclosures { nodes { id learnerId recipientId items { enrolmentId categories { category basis agreementVersion } } } } }`;
    const asRecipient = await t.gql(s.hr, Q);
    expect(asRecipient.data.disclosures.nodes.filter((d: { learnerId: string }) => d.learnerId === s.learner.id)).toHaveLength(2);
    const asLearner = await t.gql(t.token({ sub: s.learner.id, kind: 'LEARNER' }), Q);
    expect(asLearner.data.disclosures.nodes).toHaveLength(2);
    expect(asLearner.data.disclosures.nodes[0].items[0].categories).toEqual([
      { category: 'PROGRESS', basis: 'PROCESSOR', agreementVersion: 1 },
      { category: 'COMPLETION', basis: 'PROCESSOR', agreementVersion: 1 },
    ]);
    const other = await scene();
    const asOther = await t.gql(other.hr, Q);
    expect(asOther.data.disclosures.nodes.every((d: { recipientId: string }) => d.recipientId === other.employer.id)).toBe(true);
    const all = await t.gql(staff, `query($l: ID) { disclosures(learnerId: $l) { nodes { id } } }`, { l: s.learner.id });
    expect(all.data.disclosures.nodes).toHaveLength(2);
  });

  it('tamper evidence: the verifier accepts the ledger, then reports the first broken link of a tampered row', async () => {
    const s = await scene();
    await t.gql(s.hr, PAGE);
    const Q = `{ verifyLedger { ok batchesChecked entriesChecked firstBroken { chain seq disclosureId problem } } }`;
    const clean = await t.gql(staff, Q);
    expect(clean.data.verifyLedger).toMatchObject({ ok: true, firstBroken: null });
    expect(clean.data.verifyLedger.entriesChecked).toBeGreaterThan(0);

    // the application cannot change the ledger …
    const [entry] = await t.db.query(`SELECT id, content FROM disclosures WHERE learner_id = $1`, [s.learner.id]);
    await expect(t.db.query(`UPDATE disclosures SET recipient_id = $1 WHERE id = $2`, [providerId, entry.id])).rejects.toThrow(/permission denied/);
    // … nor can the cluster's superuser without saying so: the trigger refuses
    await expect(t.admin.query(`UPDATE disclosures SET recipient_id = $1 WHERE id = $2`, [providerId, entry.id])).rejects.toThrow(/append-only/);
    // … an attacker with the database's keys can, and is caught
    await t.admin.query(`ALTER TABLE disclosures DISABLE TRIGGER disclosures_append_only`);
    await t.admin.query(`UPDATE disclosures SET recipient_id = $1 WHERE id = $2`, [providerId, entry.id]);
    const tampered = await t.gql(staff, Q);
    expect(tampered.data.verifyLedger).toMatchObject({ ok: false, firstBroken: { disclosureId: entry.id, problem: 'entry columns or content do not match its hash' } });
    // … and so is a change to what the entry says was disclosed, and on which basis
    await t.admin.query(`UPDATE disclosures SET recipient_id = $1, content = replace(content, '"basis":"PROCESSOR"', '"basis":"CONSENT"') WHERE id = $2`, [s.employer.id, entry.id]);
    const rewritten = await t.gql(staff, Q);
    expect(rewritten.data.verifyLedger).toMatchObject({ ok: false, firstBroken: { disclosureId: entry.id, problem: 'entry columns or content do not match its hash' } });
    // … and so is a content that tries to pass for the earlier form (its facts inside it)
    await t.admin.query(`UPDATE disclosures SET content = '{"id":"' || id || '",' || substr(content, 2) WHERE id = $1`, [entry.id]);
    await t.admin.query(`ALTER TABLE disclosures ENABLE TRIGGER disclosures_append_only`);
    const disguised = await t.gql(staff, Q);
    expect(disguised.data.verifyLedger).toMatchObject({ ok: false, firstBroken: { disclosureId: entry.id, problem: 'entry content does not match its hash' } });
    // put back as it was, the ledger verifies again (and the tests after this one start from an intact ledger)
    await t.admin.query(`ALTER TABLE disclosures DISABLE TRIGGER disclosures_append_only`);
    await t.admin.query(`UPDATE disclosures SET content = $1 WHERE id = $2`, [entry.content, entry.id]);
    await t.admin.query(`ALTER TABLE disclosures ENABLE TRIGGER disclosures_append_only`);
    expect((await t.gql(staff, Q)).data.verifyLedger).toMatchObject({ ok: true, firstBroken: null });
  });

  it("an entry's content holds what was disclosed; its hash covers that and every fact column", async () => {
    const s = await scene();
    await t.gql(s.hr, PAGE);
    const [entry] = await t.db.query(`SELECT * FROM disclosures WHERE learner_id = $1`, [s.learner.id]);
    expect(Object.keys(JSON.parse(entry.content))).toEqual(['items']);
    const { entryHash } = await import('../../src/disclosures/ledger-hash');
    const facts = {
      id: entry.id,
      kind: entry.kind,
      disclosedAt: entry.disclosed_at.toISOString(),
      requestId: entry.request_id,
      operationName: entry.operation_name,
      recipientId: entry.recipient_id,
      actorSubject: entry.actor_subject,
      apiClientId: entry.api_client_id,
      learnerId: entry.learner_id,
    };
    expect(entryHash(facts, entry.content)).toBe(entry.entry_hash);
    for (const [column, other] of Object.entries({ requestId: 'req-other', operationName: null, actorSubject: 'someone', apiClientId: null, learnerId: providerId, kind: 'ACCESS_ENDED' })) {
      expect(entryHash({ ...facts, [column]: other }, entry.content)).not.toBe(entry.entry_hash);
    }
  });

  it("a previous release's entry (its facts inside the content) still verifies, and a changed column is still caught", async () => {
    const s = await scene();
    const { sha256Hex } = await import('../../src/common/hashing');
    const { uuid7 } = await import('../../src/common/uuid7');
    const id = uuid7(Date.now());
    const facts = { disclosedAt: new Date().toISOString(), requestId: 'req-previous-release', operationName: 'HrSync', recipientId: s.employer.id, actorSubject: s.client.claims.sub, apiClientId: null };
    const items = [{ enrolmentId: s.enrolment.id, courseId: s.course.id, grants: [{ basis: 'PROCESSOR', agreementId: s.agreement.agreementId, agreementVersionId: s.agreement.id, agreementVersion: 1, onBehalfOf: null, categories: ['PROGRESS'] }] }];
    const content = JSON.stringify({ id, ...facts, learnerId: s.learner.id, items });
    const hash = sha256Hex(content);
    await t.db.query(
      `SELECT ledger_append($1::smallint, $2, $3::timestamptz, $4, $5, $6::uuid, $7, $8, $9::uuid[], $10::uuid[], $11::uuid[], $12::text, $13::text[], $14::ledger_entry_kind)`,
      [0, hash, facts.disclosedAt, facts.requestId, facts.operationName, facts.recipientId, facts.actorSubject, facts.apiClientId, [id], [uuid7(Date.now())], [s.learner.id], content, [hash], 'DISCLOSURE'],
    );
    const Q = `{ verifyLedger { ok firstBroken { disclosureId problem } } }`;
    expect((await t.gql(staff, Q)).data.verifyLedger).toMatchObject({ ok: true });
    const listed = await t.gql(t.token({ sub: s.learner.id, kind: 'LEARNER' }), `{ disclosures { nodes { id items { categories { category } } } } }`);
    expect(listed.data.disclosures.nodes).toContainEqual({ id, items: [{ categories: [{ category: 'PROGRESS' }] }] });
    await t.admin.query(`ALTER TABLE disclosures DISABLE TRIGGER disclosures_append_only`);
    await t.admin.query(`UPDATE disclosures SET request_id = 'req-rewritten' WHERE id = $1`, [id]);
    await t.admin.query(`ALTER TABLE disclosures ENABLE TRIGGER disclosures_append_only`);
    expect((await t.gql(staff, Q)).data.verifyLedger).toMatchObject({ ok: false, firstBroken: { disclosureId: id, problem: 'column requestId differs from the hashed content' } });
    await t.admin.query(`ALTER TABLE disclosures DISABLE TRIGGER disclosures_append_only`);
    await t.admin.query(`UPDATE disclosures SET request_id = 'req-previous-release' WHERE id = $1`, [id]);
    await t.admin.query(`ALTER TABLE disclosures ENABLE TRIGGER disclosures_append_only`);
    expect((await t.gql(staff, Q)).data.verifyLedger).toMatchObject({ ok: true });
  });

  it('the email job ledger_append() writes is the row pg-boss itself writes for the same job', async () => {
    const s = await scene();
    const { JOB_QUEUE } = await import('../../src/outbox/job-queue.provider');
    const { emailJob } = await import('../../src/outbox/job-queue');
    const { APP_CONFIG } = await import('../../src/config/app-config');
    const { ledgerEntry } = await import('../../src/disclosures/disclosure-ledger.service');
    const { merkleRoot } = await import('../../src/disclosures/ledger-hash');
    const settings = t.app.get<{ notifications: Parameters<typeof emailJob>[1] }>(APP_CONFIG).notifications;
    const other = await w.learner();
    // one job, written twice: by pg-boss's insert() and by ledger_append(); far in the future, so no worker takes either
    const job = { ...emailJob([s.learner.id], settings), startAfter: new Date(Date.now() + 30 * DAY) };
    const ours = { ...job, data: { learnerIds: [other.id] } };
    await t.app.get<import('pg-boss')>(JOB_QUEUE).insert([job]);
    const request = { disclosedAt: new Date().toISOString(), requestId: 'req-job-parity', operationName: null, recipientId: s.employer.id, actorSubject: 'test', apiClientId: null };
    const e = ledgerEntry(request, 'DISCLOSURE', other.id, { items: [] }, Date.now());
    await t.db.query(
      `SELECT ledger_append($1::smallint, $2, $3::timestamptz, $4, $5, $6::uuid, $7, $8, $9::uuid[], $10::uuid[], $11::uuid[], $12::text, $13::text[], $14::ledger_entry_kind, $15::jsonb)`,
      [0, merkleRoot([e.entryHash]), request.disclosedAt, request.requestId, null, request.recipientId, request.actorSubject, null, [e.id], [e.notificationId], [other.id], e.content, [e.entryHash], 'DISCLOSURE', JSON.stringify(ours)],
    );
    const rows = await t.db.query<Record<string, unknown>[]>(
      `SELECT data->'learnerIds'->>0 AS learner, name, priority, state, retry_limit, retry_count, retry_delay, retry_backoff, start_after, started_on,
              singleton_key, singleton_on, expire_in::text, keep_until, dead_letter, policy, output
         FROM pgboss.job WHERE name = 'notify-email' AND data->'learnerIds'->>0 = ANY($1::text[])`,
      [[s.learner.id, other.id]],
    );
    const byLearner = Object.fromEntries(rows.map(({ learner, ...row }) => [learner as string, row]));
    expect(byLearner[other.id]).toEqual(byLearner[s.learner.id]);
    expect(byLearner[other.id]).toMatchObject({ state: 'created', dead_letter: 'notify-email-dead' });
    await t.db.query(`DELETE FROM pgboss.job WHERE name = 'notify-email' AND data->'learnerIds'->>0 = ANY($1::text[])`, [[s.learner.id, other.id]]);
  });

  it('without its job queue, or with a job it cannot write as pg-boss would, nothing is written: the ledger call fails as a whole', async () => {
    const s = await scene();
    const { ledgerEntry } = await import('../../src/disclosures/disclosure-ledger.service');
    const request = { disclosedAt: new Date().toISOString(), requestId: 'req-no-queue', operationName: null, recipientId: s.employer.id, actorSubject: 'test', apiClientId: null };
    const e = ledgerEntry(request, 'DISCLOSURE', s.learner.id, { items: [] }, Date.now());
    await expect(
      t.db.query(
        `SELECT ledger_append($1::smallint, $2, $3::timestamptz, $4, $5, $6::uuid, $7, $8, $9::uuid[], $10::uuid[], $11::uuid[], $12::text, $13::text[], $14::ledger_entry_kind, $15::jsonb)`,
        [0, e.entryHash, request.disclosedAt, request.requestId, null, request.recipientId, request.actorSubject, null, [e.id], [e.notificationId], [s.learner.id], e.content, [e.entryHash], 'DISCLOSURE', JSON.stringify({ name: 'no-such-queue', data: {} })],
      ),
    ).rejects.toThrow(/no standard job queue no-such-queue/);
    // … nor with a job asking for what the insert would not write as pg-boss does (a singleton)
    await expect(
      t.db.query(
        `SELECT ledger_append($1::smallint, $2, $3::timestamptz, $4, $5, $6::uuid, $7, $8, $9::uuid[], $10::uuid[], $11::uuid[], $12::text, $13::text[], $14::ledger_entry_kind, $15::jsonb)`,
        [0, e.entryHash, request.disclosedAt, request.requestId, null, request.recipientId, request.actorSubject, null, [e.id], [e.notificationId], [s.learner.id], e.content, [e.entryHash], 'DISCLOSURE', JSON.stringify({ name: 'notify-email', data: {}, singletonKey: 'one' })],
      ),
    ).rejects.toThrow(/job fields beyond those it writes/);
    expect(await count(`SELECT count(*)::int AS n FROM disclosures WHERE id = $1`, [e.id])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM notifications WHERE id = $1`, [e.notificationId])).toBe(0);
  });

  it('other information duties: consent recorded and withdrawn reach the inbox and email', async () => {
    const s = await scene();
    const token = t.token({ sub: s.learner.id, kind: 'LEARNER' });
    const consent = await t.gql(token, `mutation($i: GrantConsentInput!) { grantConsent(input: $i) { agreementId } }`, { i: { recipientId: s.employer.id, categories: ['TIME_SPENT'], consentTextVersion: 'v1' } });
    await t.gql(token, `mutation($a: ID!) { withdrawConsent(agreementId: $a) { id } }`, { a: consent.data.grantConsent.agreementId });
    const inbox = await t.gql(token, `{ notifications { nodes { id kind recipientId readAt } } unreadNotificationCount }`);
    expect(inbox.data.notifications.nodes.map((n: { kind: string }) => n.kind)).toEqual(['CONSENT_RECORDED', 'CONSENT_WITHDRAWN']);
    expect(inbox.data.unreadNotificationCount).toBe(2);
    const marked = await t.gql(token, `mutation($ids: [ID!]) { markNotificationsRead(ids: $ids) }`, { ids: [inbox.data.notifications.nodes[0].id] });
    expect(marked.data.markNotificationsRead).toBe(1);
    expect((await t.gql(token, `{ unreadNotificationCount }`)).data.unreadNotificationCount).toBe(1);
    const mails = await smtp.waitFor((m) => m.filter((x) => x.to.includes(s.learner.email)).flatMap((x) => x.notificationIds).length >= 2);
    const text = mails.filter((x) => x.to.includes(s.learner.email)).map((x) => x.text).join('\n');
    expect(text).toContain(`Uw toestemming om gegevens te delen met ${s.employer.name} is vastgelegd`);
    expect(text).toContain(`U heeft uw toestemming voor ${s.employer.name} ingetrokken`);
  });

  it('a learner who chose a daily digest gets no immediate email; the digest lists everything at once', async () => {
    const s = await scene();
    const token = t.token({ sub: s.learner.id, kind: 'LEARNER' });
    await t.gql(token, `mutation { setNotificationFrequency(frequency: DAILY) }`);
    await t.gql(s.hr, PAGE);
    await t.gql(s.hr, PAGE);
    await new Promise((r) => setTimeout(r, 2500)); // the immediate job has run and skipped this learner
    expect(smtp.received.filter((m) => m.to.includes(s.learner.email))).toHaveLength(0);
    const { NotificationWorker } = await import('../../src/notifications/notification-worker.service');
    await t.app.get(NotificationWorker).runDigests(new Date('2026-11-24T06:00:00Z'));
    const mails = smtp.received.filter((m) => m.to.includes(s.learner.email));
    expect(mails).toHaveLength(1);
    expect(mails[0].disclosureIds).toHaveLength(2);
    expect(mails[0].subject).toBe('Wij hebben uw studiegegevens gedeeld (2 keer)');
  });

  it('a digest run hands delivery a page of learners at a time, however many chose the digest', async () => {
    // More learners than a page, in SQL: the memory of a digest run must not grow with their number.
    const learners = await t.db.query<{ id: string }[]>(
      `INSERT INTO learners (name, email, notification_frequency)
       SELECT 'Digest ' || i, 'digest' || i || '.' || $1::text || '@example.test', 'WEEKLY' FROM generate_series(1, 1201) i RETURNING id`,
      [process.pid],
    );
    const ids = learners.map((l) => l.id);
    await t.db.query(`INSERT INTO notifications (learner_id, kind) SELECT unnest($1::uuid[]), 'CONSENT_RECORDED'`, [ids]);
    const { EmailDeliveryService } = await import('../../src/notifications/email/email-delivery.service');
    const delivery = t.app.get(EmailDeliveryService);
    const deliver = jest.spyOn(delivery, 'deliver').mockResolvedValue(0);
    let pages: string[][];
    try {
      await delivery.deliverDigests('WEEKLY');
      pages = deliver.mock.calls.map(([learnerIds]) => learnerIds);
    } finally {
      deliver.mockRestore();
    }
    expect(pages.length).toBeGreaterThanOrEqual(3);
    for (const page of pages) expect(page.length).toBeLessThanOrEqual(500);
    const handed = pages.flat();
    expect(new Set(handed).size).toBe(handed.length);
    expect(handed).toEqual(expect.arrayContaining(ids));
    await t.db.query(`UPDATE notifications SET emailed_at = now() WHERE learner_id = ANY($1::uuid[])`, [ids]);
  });

  describe('delivery in rounds', () => {
    /** Learners with unsent notifications written in SQL (no job: nothing but this test delivers them). */
    async function pendingLearners(n: number, perLearner: number, frequency = 'IMMEDIATE') {
      const learners = await t.db.query<{ id: string; email: string }[]>(
        `INSERT INTO learners (name, email, notification_frequency)
         SELECT 'Round ' || i, 'round' || i || '.' || $1::text || '@example.test', $2 FROM generate_series(1, $3::int) i RETURNING id, email`,
        [`${process.pid}-${Math.random().toString(36).slice(2, 8)}`, frequency, n],
      );
      await t.db.query(`INSERT INTO notifications (learner_id, kind) SELECT l, 'CONSENT_RECORDED' FROM unnest($1::uuid[]) l, generate_series(1, $2::int)`, [
        learners.map((l) => l.id),
        perLearner,
      ]);
      return learners;
    }
    const delivery = async () => t.app.get((await import('../../src/notifications/email/email-delivery.service')).EmailDeliveryService);
    const mailsTo = (email: string) => smtp.received.filter((m) => m.to.includes(email));

    it('a job of 250 learners costs a few statements a round of 100, not a few per learner; each learner one message, every row marked with it', async () => {
      const learners = await pendingLearners(250, 2);
      const [digest] = await pendingLearners(1, 1, 'DAILY');
      const [erased] = await pendingLearners(1, 1);
      await t.db.query(`UPDATE learners SET erased_at = now() WHERE id = $1`, [erased.id]);
      const d = await delivery();
      const { result: sent, queries } = await countQueries(t.app, () => d.deliver([...learners, digest, erased].map((l) => l.id)));
      expect(sent).toBe(250);
      // The delivery's own statements (the app's other loops run meanwhile): one look at the job's
      // learners, then per round of 100 the rows, the locked check, the names (2) and the marking.
      const own = queries.filter((q) => /\b(FROM (learners|notifications|organisations|courses)|UPDATE notifications)\b/.test(q));
      expect(own.length).toBeLessThanOrEqual(1 + 3 * 5);
      for (const l of learners) {
        const mails = mailsTo(l.email);
        expect(mails).toHaveLength(1);
        expect(mails[0].notificationIds).toHaveLength(2);
        const marked = await t.db.query(`SELECT id, email_message_id FROM notifications WHERE learner_id = $1 ORDER BY id`, [l.id]);
        expect(marked.map((r: { id: string }) => r.id)).toEqual(mails[0].notificationIds);
        expect(marked.every((r: { email_message_id: string }) => r.email_message_id === mails[0].messageId)).toBe(true);
      }
      // the digest learner waits for the digest; the erased one has no address left
      expect(mailsTo(digest.email)).toHaveLength(0);
      expect(mailsTo(erased.email)).toHaveLength(0);
      expect(await count(`SELECT count(*)::int AS n FROM notifications WHERE learner_id = ANY($1::uuid[]) AND emailed_at IS NULL`, [[digest.id, erased.id]])).toBe(2);
    });

    it('a slow SMTP server: no send begins after the time budget of its round; the rest go in the next round, each once', async () => {
      const learners = await pendingLearners(30, 1);
      // every message takes 400 ms to be accepted: 4 lanes begin ~5 each within the 2 s budget
      smtp.hold = { then: (done?: () => unknown) => new Promise((r) => setTimeout(r, 400)).then(done) } as unknown as Promise<void>;
      let rounds: string[];
      try {
        const { result: sent, queries } = await countQueries(t.app, async () => (await delivery()).deliver(learners.map((l) => l.id)));
        expect(sent).toBe(30);
        rounds = queries.filter((q) => q.includes('CROSS JOIN LATERAL (SELECT n.id, n.kind'));
      } finally {
        smtp.hold = null;
      }
      expect(rounds.length).toBeGreaterThanOrEqual(2);
      for (const l of learners) expect(mailsTo(l.email)).toHaveLength(1);
      expect(await count(`SELECT count(*)::int AS n FROM notifications WHERE learner_id = ANY($1::uuid[]) AND emailed_at IS NULL`, [learners.map((l) => l.id)])).toBe(0);
    });

    it('two jobs queued together are completed or failed each on its own: a failed send retries its job only', async () => {
      const [a, b] = await pendingLearners(2, 1);
      const { JOB_QUEUE } = await import('../../src/outbox/job-queue.provider');
      const { emailJob } = await import('../../src/outbox/job-queue');
      const { APP_CONFIG } = await import('../../src/config/app-config');
      const settings = { ...t.app.get<{ notifications: Parameters<typeof emailJob>[1] }>(APP_CONFIG).notifications, coalesceSeconds: 0 };
      smtp.failNext = 1;
      // one insert: the worker takes them one after the other, without waiting out its polling interval between them
      await t.app.get<import('pg-boss')>(JOB_QUEUE).insert([emailJob([a.id], settings), emailJob([b.id], settings)]);
      const jobs = () =>
        t.db.query<{ learner: string; state: string; retry_count: number }[]>(
          `SELECT data->'learnerIds'->>0 AS learner, state, retry_count FROM pgboss.job WHERE name = 'notify-email' AND data->'learnerIds'->>0 = ANY($1::text[])`,
          [[a.id, b.id]],
        );
      await smtp.waitFor(() => mailsTo(a.email).length === 1 && mailsTo(b.email).length === 1);
      for (let i = 0; i < 100 && !(await jobs()).every((j) => j.state === 'completed'); i++) await new Promise((r) => setTimeout(r, 100));
      const states = await jobs();
      expect(states.map((j) => j.state)).toEqual(['completed', 'completed']);
      // the job whose send failed was retried once; the other was completed at its first run
      expect(states.map((j) => j.retry_count).sort()).toEqual([0, 1]);
    });

    it('more unsent notifications than one message lists: all of them go, in messages of 500', async () => {
      const [l] = await pendingLearners(1, 1201);
      expect(await (await delivery()).deliver([l.id])).toBe(3);
      expect(mailsTo(l.email).map((m) => m.notificationIds.length)).toEqual([500, 500, 201]);
      expect(new Set(mailsTo(l.email).flatMap((m) => m.notificationIds)).size).toBe(1201);
      expect(await count(`SELECT count(*)::int AS n FROM notifications WHERE learner_id = $1 AND emailed_at IS NULL`, [l.id])).toBe(0);
    });

    it('one send of a round fails: the others are marked sent, that learner stays unsent, and the delivery fails (to be retried)', async () => {
      const learners = await pendingLearners(10, 1);
      smtp.failNext = 1;
      await expect((await delivery()).deliver(learners.map((l) => l.id))).rejects.toThrow();
      const unsent = await t.db.query<{ learner_id: string }[]>(`SELECT learner_id FROM notifications WHERE learner_id = ANY($1::uuid[]) AND emailed_at IS NULL`, [
        learners.map((l) => l.id),
      ]);
      expect(unsent).toHaveLength(1);
      expect(learners.filter((l) => mailsTo(l.email).length === 1)).toHaveLength(9);
      expect(mailsTo(learners.find((l) => l.id === unsent[0].learner_id)!.email)).toHaveLength(0);
      // the retry sends what is left, once
      expect(await (await delivery()).deliver(learners.map((l) => l.id))).toBe(1);
      expect(learners.every((l) => mailsTo(l.email).length === 1)).toBe(true);
    });
  });

  it('failed deliveries are retried, then dead-lettered, visible to staff and re-drivable', async () => {
    const s = await scene();
    smtp.failNext = 1000;
    await t.gql(s.hr, PAGE);
    const dead = async () => (await t.gql(staff, `{ failedNotificationDeliveries { jobId learnerIds } }`)).data.failedNotificationDeliveries as { jobId: string; learnerIds: string[] }[];
    const deadline = Date.now() + 30_000;
    while (!(await dead()).some((d) => d.learnerIds.includes(s.learner.id))) {
      if (Date.now() > deadline) throw new Error('no dead letter appeared');
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(smtp.received.filter((m) => m.to.includes(s.learner.email))).toHaveLength(0);
    smtp.failNext = 0;
    const redriven = await t.gql(staff, `mutation { redriveFailedNotificationDeliveries }`);
    expect(redriven.data.redriveFailedNotificationDeliveries).toBeGreaterThanOrEqual(1);
    await smtp.waitFor((m) => m.some((x) => x.to.includes(s.learner.email)));
    expect((await dead()).some((d) => d.learnerIds.includes(s.learner.id))).toBe(false);
  }, 60_000);
});
