/**
 * The notification workers as separate processes (docs/ledger-and-notifications.md):
 * a worker killed mid-delivery, two workers on one database, the coalescing window, and the
 * reconciliation of ledger, notifications and delivered messages after many random reads.
 *
 * The API under test runs without workers (WORKERS_IN_PROCESS=false); the workers are child Node
 * processes (test/utils/worker-child.ts under ts-node) on the same test database, delivering to a
 * real SMTP server in this process. A child can be SIGKILLed, which is the only honest way to
 * test "the worker died".
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DisclosureCategory } from '../../src/common/disclosure-category';
import type { OrganisationEntity } from '../../src/organisations/organisation.entity';
import { world } from '../factories/world';
import { SmtpSink, type ReceivedMail } from '../utils/smtp-sink';
import { createTestApp, type TestApp } from '../utils/test-app';

const ROOT = join(__dirname, '..', '..');
const CHILD = join(ROOT, 'test', 'utils', 'worker-child.ts');
const DAY = 86_400_000;
const PAGE = `query HrSync { learners { nodes { id enrolments { id progressPercent completed status withheld { field } } } } }`;

/** Short timings, so a killed worker's job is retried within seconds (set on the API and the workers). */
const TIMINGS = {
  NOTIFY_POLL_SECONDS: '1',
  NOTIFY_JOB_EXPIRE_SECONDS: '2',
  NOTIFY_MAINTENANCE_SECONDS: '1',
  NOTIFY_RETRY_DELAY_SECONDS: '1',
};

/** Every disclosure waits this long for others to the same learner before its email goes (NOTIFY_COALESCE_SECONDS). */
const COALESCE_SECONDS = 3;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `condition` until it holds, or fails after `ms` saying what we were waiting for. */
async function until(condition: () => boolean | Promise<boolean>, what: string, ms = 30_000, details: () => unknown = () => ''): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what} ${JSON.stringify(await details())}`);
    await sleep(100);
  }
}

/**
 * A value for `SmtpSink.hold` that keeps every message waiting after its DATA has been received in
 * full, and counts how many are waiting: the sink awaits the hold once per message, and awaiting a
 * thenable calls its `then` — our hook for "the worker is mid-delivery".
 */
function holdDeliveries() {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let waiting = 0;
  const thenable = {
    then(onFulfilled?: (v: void) => unknown, onRejected?: (e: unknown) => unknown) {
      waiting++;
      return gate.then(onFulfilled, onRejected);
    },
  };
  return { promise: thenable as unknown as Promise<void>, release, waiting: () => waiting };
}

/** A `SmtpSink.hold` that delays each message by `ms` (the rows stay locked that long). */
function slowDeliveries(ms: number): Promise<void> {
  return { then: (onFulfilled?: (v: void) => unknown) => sleep(ms).then(onFulfilled) } as unknown as Promise<void>;
}

/** A small seeded PRNG (mulberry32), so a failing random run can be replayed with its seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)],
    subset: <T>(xs: readonly T[]): T[] => xs.filter(() => next() < 0.5),
  };
}

interface WorkerProcess {
  name: string;
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
  output(): { stdout: string; stderr: string };
  /** Jobs this worker took (its debug log line as each one starts), finished or not. */
  started(): { jobId: string }[];
}

describe('notification workers as separate processes', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let w: ReturnType<typeof world>;
  let providerId: string;
  const workers: WorkerProcess[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'rsa-workers-'));

  beforeAll(async () => {
    smtp = await new SmtpSink().start();
    // A killed client can reset its connection in the middle of a transaction; smtp-server reports
    // that as an 'error' event, which must not take the jest worker down with it.
    smtp['server'].on('error', () => undefined);
    // One API for every test (two Nest apps in one process would share passport's global 'jwt'
    // strategy): no workers in it, and the coalescing window of the third test for all of them.
    t = await createTestApp({ WORKERS_IN_PROCESS: 'false', SMTP_URL: smtp.url, NOTIFY_COALESCE_SECONDS: String(COALESCE_SECONDS), ...TIMINGS });
    w = world(t.db);
    providerId = (await w.organisation('PROVIDER', 'Leerhuis')).id;
  });

  afterAll(async () => {
    for (const worker of workers) if (worker.alive()) worker.child.kill('SIGKILL');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(workers.map((x) => x.exited)), new Promise((r) => (timer = setTimeout(r, 5000)))]);
    clearTimeout(timer);
    await t?.close();
    await smtp?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  function startWorker(name: string): Promise<WorkerProcess> {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', CHILD], {
      cwd: ROOT,
      env: {
        ...process.env,
        TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
        NODE_ENV: 'test',
        DATABASE_URL: t.config.databaseUrl,
        SMTP_URL: smtp.url,
        WORKERS_IN_PROCESS: 'true',
        MIGRATE_ON_START: 'false',
        LOG_LEVEL: 'debug',
        DATA_DIR: dataDir,
        ...TIMINGS,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve((exit = { code, signal }))),
    );
    const worker: WorkerProcess = {
      name,
      child,
      exited,
      alive: () => exit === undefined,
      output: () => ({ stdout: stdout.slice(-4000), stderr: stderr.slice(-4000) }),
      started: () =>
        stdout
          .split('\n')
          .filter((line) => line.includes('"notification job started"'))
          .map((line) => JSON.parse(line) as { jobId: string }),
    };
    workers.push(worker);
    return new Promise<WorkerProcess>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker ${name} did not start: ${JSON.stringify(worker.output())}`)), 30_000);
      child.stdout.on('data', () => {
        if (/^READY \d+$/m.test(stdout)) {
          clearTimeout(timer);
          resolve(worker);
        }
      });
      void exited.then((r) => {
        clearTimeout(timer);
        reject(new Error(`worker ${name} exited before it was ready: ${JSON.stringify({ ...r, ...worker.output() })}`));
      });
    });
  }

  /** At least `n` live worker processes (tests share them, but do not depend on each other for them). */
  async function liveWorkers(n: number): Promise<WorkerProcess[]> {
    const live = workers.filter((x) => x.alive());
    while (live.length < n) live.push(await startWorker(`worker-${workers.length + 1}`));
    return live.slice(0, n);
  }

  const rows = <T = any>(sql: string, params: unknown[] = []) => t.db.query<T[]>(sql, params);
  const count = async (sql: string, params: unknown[] = []) => Number((await rows<{ n: string | number }>(sql, params))[0].n);
  const unsent = (learnerIds: string[]) => count(`SELECT count(*) AS n FROM notifications WHERE learner_id = ANY($1::uuid[]) AND emailed_at IS NULL`, [learnerIds]);
  const openJobs = () => count(`SELECT count(*) AS n FROM pgboss.job WHERE name = 'notify-email' AND state <> 'completed'`);
  const mailsTo = (emails: Iterable<string>) => {
    const set = new Set([...emails].map((e) => e.toLowerCase()));
    return smtp.received.filter((m) => set.has(m.to.replace(/^.*<|>.*$/g, '').toLowerCase()));
  };

  /** An employer whose HR portal may see PROGRESS and COMPLETION of the sponsored courses of its employees. */
  async function employer(opts: { categories?: DisclosureCategory[] } = {}) {
    const org = await w.organisation('EMPLOYER', `Werkgever ${Math.random().toString(36).slice(2, 7)}`);
    await w.agreement({ recipientId: org.id, basis: 'PROCESSOR', categories: opts.categories ?? ['PROGRESS', 'COMPLETION'], validFrom: new Date(Date.now() - DAY) });
    const client = await w.apiClient(org);
    return { org, hr: t.token(client.claims) };
  }

  /** Employs `learner` at `employer` on a course the employer sponsors (enrolled by `enrolledBy`, the provider by default). */
  async function employ(learnerId: string, org: OrganisationEntity, enrolledBy = providerId) {
    await w.employment(learnerId, org.id, { startedOn: '2020-01-01' });
    const course = await w.course();
    await w.enrolment(learnerId, course.id, enrolledBy, { sponsorEmployerId: org.id, progressPercent: 40, status: 'IN_PROGRESS' });
  }

  async function read(token: string, query = PAGE) {
    const res = await t.gql(token, query);
    expect({ status: res.status, body: res.body }).toMatchObject({ status: 200 });
    return res;
  }

  it('a worker killed mid-delivery: after a restart the email is delivered, and any duplicate carries the same Message-ID', async () => {
    const first = await startWorker('killed');
    const e = await employer();
    const learner = await w.learner();
    await employ(learner.id, e.org);

    const hold = holdDeliveries();
    smtp.hold = hold.promise;
    const res = await read(e.hr);
    expect(res.data.learners.nodes[0].enrolments[0].progressPercent).toBe(40);
    const [disclosure] = await rows<{ id: string }>(`SELECT id FROM disclosures WHERE learner_id = $1`, [learner.id]);
    const [notification] = await rows<{ id: string }>(`SELECT id FROM notifications WHERE disclosure_id = $1`, [disclosure.id]);
    const job = () => rows<{ state: string; retry_count: number }>(`SELECT state, retry_count FROM pgboss.job WHERE name = 'notify-email' AND data->'learnerIds' ? $1`, [learner.id]);

    // Mid-delivery: the job is active, the SMTP server has the whole message (it is waiting on the
    // hold before it answers), and the worker's transaction holds the learner's rows.
    await until(async () => hold.waiting() > 0 && (await job()).some((j) => j.state === 'active'), 'the worker to be mid-delivery', 15_000, first.output);
    expect(hold.waiting()).toBe(1);
    expect(await rows(`SELECT id FROM notifications WHERE learner_id = $1 FOR UPDATE SKIP LOCKED`, [learner.id])).toEqual([]);

    first.child.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    // Nothing was marked sent: the send never returned, the transaction died with the process.
    expect(await rows(`SELECT emailed_at, email_message_id FROM notifications WHERE learner_id = $1`, [learner.id])).toEqual([{ emailed_at: null, email_message_id: null }]);
    await until(async () => (await rows(`SELECT id FROM notifications WHERE learner_id = $1 FOR UPDATE SKIP LOCKED`, [learner.id])).length === 1, "the dead worker's row locks to go");

    // Let the held SMTP session finish: the sink may still record that message (it had the DATA
    // already) — the at-least-once duplicate a retry must make recognisable.
    smtp.hold = null;
    hold.release();
    await until(() => mailsTo([learner.email]).length > 0, 'the held copy', 3000).catch(() => undefined);
    const heldCopies = mailsTo([learner.email]).length;
    expect(heldCopies).toBeLessThanOrEqual(1);

    await startWorker('restarted');
    await until(
      async () => (await unsent([learner.id])) === 0 && smtp.received.some((m) => m.disclosureIds.includes(disclosure.id)) && (await job()).every((j) => j.state === 'completed'),
      'the retried job to deliver the email',
      30_000,
      async () => ({ job: await job(), received: smtp.received.length }),
    );

    const mails = mailsTo([learner.email]);
    expect(mails.length).toBe(heldCopies + 1); // the retry sent it exactly once more
    expect(new Set(mails.map((m) => m.messageId)).size).toBe(1);
    for (const m of mails) {
      expect(m.notificationIds).toEqual([notification.id]);
      expect(m.disclosureIds).toEqual([disclosure.id]);
    }
    const [sent] = await rows(`SELECT emailed_at, email_message_id FROM notifications WHERE id = $1`, [notification.id]);
    expect(sent.emailed_at).not.toBeNull();
    expect(sent.email_message_id).toBe(mails[0].messageId);
    // It was pg-boss's retry of the expired job that delivered it, not a new job.
    expect(await job()).toEqual([{ state: 'completed', retry_count: expect.any(Number) }]);
    expect((await job())[0].retry_count).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('two worker processes on one database: each notification is delivered once (by message id)', async () => {
    const [a, b] = await liveWorkers(2);
    const died: string[] = [];
    for (const x of [a, b]) void x.exited.then(() => died.push(x.name));

    // 4 employers, 20 learners; every learner is employed by one or two of them, so the jobs of
    // different reads name the same learners and the two workers compete for their rows.
    const employers = await Promise.all([1, 2, 3, 4].map(() => employer()));
    const learners = [];
    for (let i = 0; i < 20; i++) {
      const l = await w.learner();
      learners.push(l);
      await employ(l.id, employers[i % 4].org);
      if (i % 3 === 0) await employ(l.id, employers[(i + 1) % 4].org);
    }
    const learnerIds = learners.map((l) => l.id);

    // Every message held at first: a worker handles one job at a time, so while the first one to
    // take a job is held mid-delivery, the other must take the next — both take part, whatever
    // the timing of their polls (a worker that finishes a job fetches the next at once, and could
    // otherwise drain all twelve alone). A job may then fail on rows the other holds and be
    // retried elsewhere: taking part is taking a job.
    const startedBefore = new Map([a, b].map((x) => [x, x.started().length]));
    const tookPart = () => [a, b].map((x) => x.started().length - startedBefore.get(x)!);
    const hold = holdDeliveries();
    smtp.hold = hold.promise;
    try {
      // three rounds of all four HR portals reading at once
      for (let round = 0; round < 3; round++) await Promise.all(employers.map((e) => read(e.hr)));
      const disclosures = await count(`SELECT count(*) AS n FROM disclosures WHERE learner_id = ANY($1::uuid[])`, [learnerIds]);
      expect(disclosures).toBe(3 * (20 + 7));
      await until(() => Math.min(...tookPart()) >= 1, 'both workers to have taken a job', 20_000, () => ({ tookPart: tookPart(), waiting: hold.waiting() }));
      smtp.hold = slowDeliveries(100); // from here each delivery keeps its rows locked a little while
      hold.release();
      await until(async () => (await unsent(learnerIds)) === 0 && (await openJobs()) === 0, 'all notifications to be emailed', 40_000, async () => ({
        unsent: await unsent(learnerIds),
        openJobs: await openJobs(),
      }));
    } finally {
      smtp.hold = null;
      hold.release();
    }

    const notifications = await rows<{ id: string; learner_id: string; email_message_id: string }>(
      `SELECT id, learner_id, email_message_id FROM notifications WHERE learner_id = ANY($1::uuid[])`,
      [learnerIds],
    );
    expect(notifications).toHaveLength(3 * (20 + 7));
    const mails = mailsTo(learners.map((l) => l.email));

    // every notification in exactly one message
    const seen = new Map<string, number>();
    for (const m of mails) for (const id of m.notificationIds) seen.set(id, (seen.get(id) ?? 0) + 1);
    expect([...seen.keys()].sort()).toEqual(notifications.map((n) => n.id).sort());
    expect([...seen.values()].filter((n) => n !== 1)).toEqual([]);
    // no two messages share a Message-ID, and no (learner, set of notifications) was sent twice
    expect(new Set(mails.map((m) => m.messageId)).size).toBe(mails.length);
    expect(new Set(mails.map((m) => `${m.to}|${[...m.notificationIds].sort().join(',')}`)).size).toBe(mails.length);
    // each message is what the database recorded as sent, to the learner it concerns
    const byMessage = new Map<string, typeof notifications>();
    for (const n of notifications) byMessage.set(n.email_message_id, [...(byMessage.get(n.email_message_id) ?? []), n]);
    expect(byMessage.size).toBe(mails.length);
    const emailOf = new Map(learners.map((l) => [l.id, l.email]));
    for (const m of mails) {
      const recorded = byMessage.get(m.messageId) ?? [];
      expect(recorded.map((n) => n.id).sort()).toEqual([...m.notificationIds].sort());
      expect(new Set(recorded.map((n) => emailOf.get(n.learner_id)))).toEqual(new Set([m.to.replace(/^.*<|>.*$/g, '')]));
    }

    // both workers stayed up and both took part
    expect(died).toEqual([]);
    expect([a.alive(), b.alive()]).toEqual([true, true]);
    expect(Math.min(...tookPart())).toBeGreaterThanOrEqual(1);
    // and between them they finished every job
    expect(await openJobs()).toBe(0);
  }, 60_000);

  it('coalescing window: three reads of one learner within NOTIFY_COALESCE_SECONDS become one email listing all three', async () => {
    await liveWorkers(2);
    const e = await employer();
    const learner = await w.learner();
    await employ(learner.id, e.org);
    const job = () => rows<{ state: string }>(`SELECT state FROM pgboss.job WHERE name = 'notify-email' AND data->'learnerIds' ? $1`, [learner.id]);

    for (let i = 0; i < 3; i++) expect((await read(e.hr)).data.learners.nodes[0].enrolments[0].progressPercent).toBe(40);
    const disclosures = await rows<{ id: string }>(`SELECT id FROM disclosures WHERE learner_id = $1`, [learner.id]);
    expect(disclosures).toHaveLength(3);
    // one job per read, each due at the end of its own window; the first one sends everything
    await until(async () => (await unsent([learner.id])) === 0 && (await job()).filter((j) => j.state === 'completed').length === 3, 'the coalesced email and all three jobs', 20_000, job);

    const mails = mailsTo([learner.email]);
    expect(mails).toHaveLength(1);
    expect([...mails[0].disclosureIds].sort()).toEqual(disclosures.map((d) => d.id).sort());
    expect(mails[0].notificationIds).toHaveLength(3);
    // and it was not sent before the window of the first read had passed
    const [{ waited }] = await rows<{ waited: number }>(
      `SELECT extract(epoch FROM min(n.emailed_at) - min(d.disclosed_at))::float AS waited FROM notifications n JOIN disclosures d ON d.id = n.disclosure_id WHERE n.learner_id = $1`,
      [learner.id],
    );
    expect(waited).toBeGreaterThanOrEqual(COALESCE_SECONDS - 0.1);
  }, 60_000);

  it('reconciliation: after many random reads the ledger, the notifications and the delivered messages name the same disclosures', async () => {
    await liveWorkers(2);
    const seed = Number(process.env.RECONCILE_SEED ?? Date.now() % 1_000_000);
    const rnd = prng(seed);
    const context = `(seed ${seed}; replay with RECONCILE_SEED=${seed})`;

    // three employers with random agreements (or none), a broker with mandates from two of them
    const bases = [
      { basis: 'PROCESSOR' as const, categories: ['PROGRESS', 'COMPLETION', 'TIME_SPENT', 'ENROLMENT_STATUS'] as DisclosureCategory[] },
      { basis: 'LEGITIMATE_INTEREST' as const, categories: ['ENROLMENT_STATUS', 'COMPLETION'] as DisclosureCategory[] },
    ];
    const employers: { org: OrganisationEntity; hr: string }[] = [];
    for (let i = 0; i < 3; i++) {
      const org = await w.organisation('EMPLOYER');
      // The first always has one, so that something is disclosed whatever the seed.
      const choice = i === 0 ? rnd.int(2) : rnd.int(3);
      if (choice < 2) {
        const b = bases[choice];
        const categories = rnd.subset(b.categories);
        await w.agreement({ recipientId: org.id, basis: b.basis, categories: categories.length ? categories : [b.categories[0]] });
      }
      employers.push({ org, hr: t.token((await w.apiClient(org)).claims) });
    }
    const brokerOrg = await w.organisation('BROKER');
    for (const e of employers.slice(0, 2)) await w.mandate(brokerOrg.id, e.org.id, { categories: ['PROGRESS', 'COMPLETION', 'ENROLMENT_STATUS'] });
    const broker = t.token((await w.apiClient(brokerOrg)).claims);

    const learners = [];
    for (let i = 0; i < 10; i++) {
      const l = await w.learner();
      learners.push(l);
      const at = i === 0 ? [employers[0]] : rnd.subset(employers);
      for (const e of at.length ? at : [rnd.pick(employers)]) await employ(l.id, e.org, rnd.next() < 0.4 ? brokerOrg.id : providerId);
    }
    const learnerIds = learners.map((l) => l.id);

    const queries = [
      PAGE,
      `{ learners { nodes { id enrolments { id completed status timeSpentMinutes } } } }`,
      `{ learners { nodes { id name } } }`, // nothing gated: discloses nothing
      `{ learners { nodes { id enrolments { id withheld { field reason } } } } }`, // nothing gated either
    ];
    const readers = [...employers.map((e) => e.hr), broker];
    const reads = 36;
    for (let i = 0; i < reads; i += 4) {
      await Promise.all(
        [0, 1, 2, 3].map(async () => {
          const one = rnd.next() < 0.3 ? `query($id: ID!) { learner(id: $id) { id enrolments { id progressPercent completed } } }` : rnd.pick(queries);
          const res = await t.gql(rnd.pick(readers), one, one.includes('$id') ? { id: rnd.pick(learnerIds) } : undefined);
          expect({ context, status: res.status, body: res.body }).toMatchObject({ status: 200 });
        }),
      );
    }

    // One read that discloses, whatever the random reads did (employer 0 employs learner 0 under an agreement).
    expect((await t.gql(employers[0].hr, PAGE)).status).toBe(200);

    await until(async () => (await unsent(learnerIds)) === 0 && (await openJobs()) === 0, `the outbox to drain ${context}`, 40_000, async () => ({
      unsent: await unsent(learnerIds),
      openJobs: await openJobs(),
    }));

    const ledger = (await rows<{ id: string; learner_id: string }>(`SELECT id, learner_id FROM disclosures WHERE learner_id = ANY($1::uuid[])`, [learnerIds])).sort((x, y) => x.id.localeCompare(y.id));
    const notified = (await rows<{ disclosure_id: string }>(`SELECT disclosure_id FROM notifications WHERE kind = 'DISCLOSURE' AND learner_id = ANY($1::uuid[])`, [learnerIds]))
      .map((n) => n.disclosure_id)
      .sort();
    const mails: ReceivedMail[] = mailsTo(learners.map((l) => l.email));
    const delivered = mails.flatMap((m) => m.disclosureIds).sort();

    expect({ context, entries: ledger.length > 0 }).toEqual({ context, entries: true });
    expect({ context, notified }).toEqual({ context, notified: ledger.map((d) => d.id) });
    expect({ context, delivered }).toEqual({ context, delivered: ledger.map((d) => d.id) }); // sorted lists: also no disclosure mailed twice
    // and each was mailed to the learner it concerns
    const emailOf = new Map(learners.map((l) => [l.id, l.email]));
    const learnerOf = new Map(ledger.map((d) => [d.id, d.learner_id]));
    for (const m of mails) for (const id of m.disclosureIds) expect(m.to).toContain(emailOf.get(learnerOf.get(id)!)!);
    expect(await openJobs()).toBe(0);
  }, 60_000);

  /**
   * Regression: a send that outlasts the job's expireInSeconds keeps the learner's rows locked
   * while pg-boss expires the job and another worker runs the retry. That retry finds no row it can
   * lock; it used to complete the job, so when the first attempt then failed the email was lost.
   * Now a delivery that meets rows locked elsewhere fails its job, which is retried later.
   */
  it('a delivery that outlasts its job expiry and then fails is still delivered, though another worker ran the expired job meanwhile', async () => {
    await liveWorkers(2);
    const e = await employer();
    const learner = await w.learner();
    await employ(learner.id, e.org);
    const job = () => rows<{ state: string; retry_count: number }>(`SELECT state, retry_count FROM pgboss.job WHERE name = 'notify-email' AND data->'learnerIds' ? $1`, [learner.id]);

    const hold = holdDeliveries();
    smtp.hold = hold.promise;
    try {
      await read(e.hr);
      await until(async () => hold.waiting() > 0 && (await job()).some((j) => j.state === 'active'), 'the first attempt to be mid-delivery', 15_000, job);
      // the job expires while the first attempt is still sending; the other worker runs the retry,
      // which finds the rows locked and must not complete the job
      await until(async () => (await job()).every((j) => j.retry_count >= 1), 'the expired job to be retried', 20_000, job);
      expect((await job()).some((j) => j.state === 'completed')).toBe(false);
      expect(await unsent([learner.id])).toBe(1);
      // now the stalled SMTP session fails (a 451, a socket timeout…)
      smtp.failNext = 1;
    } finally {
      smtp.hold = null;
      hold.release();
    }
    await until(async () => (await unsent([learner.id])) === 0, 'the notification to be delivered after all', 15_000, async () => ({
      job: await job(),
      unsent: await unsent([learner.id]),
      mails: mailsTo([learner.email]).length,
    }));
    expect(mailsTo([learner.email])).toHaveLength(1);
  }, 60_000);
});
