import { staffClaims, world } from '../factories/world';
import { createTestApp, type TestApp } from '../utils/test-app';

const PAGE = `query HrSync { learners { nodes { id enrolments { id progressPercent } } } }`;
const VERIFY = `{ verifyLedger { ok checkpoint { id } firstBroken { chain seq batchId problem } } }`;
const CHECKPOINT = `mutation { checkpointLedger { id createdAt kid heads { chain seq batchHash entries } } }`;

/**
 * Signed checkpoints make a cut tail visible (docs/ledger-and-notifications.md, "Tamper
 * evidence"): a hash chain whose newest links were deleted still verifies link by link, but no
 * longer reaches the head a checkpoint signed.
 */
describe('ledger checkpoints', () => {
  let t: TestApp;
  let w: ReturnType<typeof world>;
  let staff: string;

  beforeAll(async () => {
    // One chain, so "the newest batch" is well defined.
    t = await createTestApp({ LEDGER_CHAINS: '1' });
    w = world(t.db);
    staff = t.token(staffClaims((await w.organisation('PROVIDER')).id));
  });
  afterAll(() => t.close());

  async function disclose(): Promise<void> {
    const employer = await w.organisation('EMPLOYER');
    const learner = await w.learner();
    await w.employment(learner.id, employer.id);
    const course = await w.course();
    await w.enrolment(learner.id, course.id, employer.id, { sponsorEmployerId: employer.id, progressPercent: 30 });
    await w.agreement({ recipientId: employer.id, basis: 'PROCESSOR', categories: ['PROGRESS'] });
    const res = await t.gql(t.token((await w.apiClient(employer)).claims), PAGE);
    expect(res.errors).toBeUndefined();
  }

  it('records every chain head, signed; verification passes against it', async () => {
    await disclose();
    await disclose();
    const taken = await t.gql(staff, CHECKPOINT);
    expect(taken.errors).toBeUndefined();
    const cp = taken.data.checkpointLedger;
    const [head] = await t.db.query(`SELECT chain, seq::text AS seq, batch_hash FROM ledger_batches ORDER BY seq DESC LIMIT 1`);
    expect(cp.heads).toEqual([{ chain: head.chain, seq: head.seq, batchHash: head.batch_hash, entries: 2 }]);
    const [signing] = await t.db.query(`SELECT kid FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1`);
    expect(cp.kid).toBe(signing.kid);
    expect((await t.gql(staff, VERIFY)).data.verifyLedger).toEqual({ ok: true, checkpoint: { id: cp.id }, firstBroken: null });
    // The chain growing after a checkpoint is fine.
    await disclose();
    expect((await t.gql(staff, VERIFY)).data.verifyLedger.ok).toBe(true);
  });

  it('deleting the newest batch and its entries is reported, though every remaining link holds', async () => {
    await disclose();
    const cp = (await t.gql(staff, CHECKPOINT)).data.checkpointLedger;
    const [newest] = await t.db.query(`SELECT id, seq::text AS seq FROM ledger_batches ORDER BY seq DESC LIMIT 1`);
    // An attacker with the database's keys cuts the tail.
    await t.admin.transaction(async (em) => {
      await em.query(`SET LOCAL session_replication_role = replica`);
      await em.query(`DELETE FROM notifications WHERE disclosure_id IN (SELECT id FROM disclosures WHERE batch_id = $1)`, [newest.id]);
      await em.query(`DELETE FROM disclosures WHERE batch_id = $1`, [newest.id]);
      await em.query(`DELETE FROM ledger_batches WHERE id = $1`, [newest.id]);
    });
    const res = (await t.gql(staff, VERIFY)).data.verifyLedger;
    expect(res.ok).toBe(false);
    expect(res.checkpoint).toEqual({ id: cp.id });
    expect(res.firstBroken).toMatchObject({ seq: newest.seq, batchId: null });
    expect(res.firstBroken.problem).toMatch(/^truncated: the chain ends at seq \d+, checkpoint/);
    // The next checkpoint (scheduled or on demand) refuses to make the shorter chain official.
    const next = await t.gql(staff, CHECKPOINT);
    expect(next.errors?.[0].extensions.code).toBe('CONFLICT');
    expect(next.errors?.[0].message).toMatch(/went back/);
  });

  it('a checkpoint planted after a later one (an old copy re-inserted) is reported', async () => {
    // The application role may insert checkpoints (it takes them): it re-inserts the first one.
    await t.db.query(`INSERT INTO ledger_checkpoints (created_at, heads, kid, signature) SELECT now(), heads, kid, signature FROM ledger_checkpoints ORDER BY id LIMIT 1`);
    const res = (await t.gql(staff, VERIFY)).data.verifyLedger;
    expect(res.ok).toBe(false);
    expect(res.firstBroken.problem).toMatch(/saw less than checkpoint/);
  });

  it('a checkpoint whose heads were rewritten no longer verifies its signature', async () => {
    await t.admin.transaction(async (em) => {
      await em.query(`SET LOCAL session_replication_role = replica`);
      // Rewritten to what the chains say now (so no other check fires first), but not re-signed.
      await em.query(`DELETE FROM ledger_checkpoints WHERE id > (SELECT min(id) FROM ledger_checkpoints)`);
      await em.query(`UPDATE ledger_checkpoints SET heads = '[]'::jsonb`);
    });
    const res = (await t.gql(staff, VERIFY)).data.verifyLedger;
    expect(res.ok).toBe(false);
    expect(res.firstBroken.problem).toMatch(/signature does not verify/);
  });

  it('the application cannot change or remove a checkpoint; a superuser is stopped by the trigger unless it disables it', async () => {
    await expect(t.db.query(`DELETE FROM ledger_checkpoints`)).rejects.toThrow(/permission denied/);
    await expect(t.db.query(`UPDATE ledger_checkpoints SET kid = 'x'`)).rejects.toThrow(/permission denied/);
    await expect(t.admin.query(`DELETE FROM ledger_checkpoints`)).rejects.toThrow(/append-only/);
  });
});
