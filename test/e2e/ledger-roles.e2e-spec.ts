import { staffClaims, world } from '../factories/world';
import { createTestApp, type TestApp } from '../utils/test-app';

const VERIFY = `{ verifyLedger { ok entriesChecked entriesPurged firstBroken { disclosureId problem } } }`;

/**
 * The application connects as a least-privilege role (src/database/roles.ts): whatever it sets,
 * it cannot update, delete or truncate a ledger row, disable the append-only triggers or switch
 * them off for its session. The one change path is `ledger_purge`, owned by the schema's owner:
 * it removes the content of entries past the proof period and keeps their hashes, so the ledger
 * still verifies, and a kept hash that is altered is still caught.
 */
describe('the ledger against its own application', () => {
  let t: TestApp;
  let staff: string;
  let entryId: string;

  beforeAll(async () => {
    t = await createTestApp();
    const w = world(t.db);
    staff = t.token(staffClaims((await w.organisation('PROVIDER')).id));
    const employer = await w.organisation('EMPLOYER');
    const learner = await w.learner();
    await w.employment(learner.id, employer.id);
    const course = await w.course();
    await w.enrolment(learner.id, course.id, employer.id, { sponsorEmployerId: employer.id, progressPercent: 30 });
    await w.agreement({ recipientId: employer.id, basis: 'PROCESSOR', categories: ['PROGRESS'] });
    const res = await t.gql(t.token((await w.apiClient(employer)).claims), `{ learners { nodes { enrolments { progressPercent } } } }`);
    expect(res.errors).toBeUndefined();
    [{ id: entryId }] = await t.db.query(`SELECT id FROM disclosures WHERE learner_id = $1`, [learner.id]);
  });
  afterAll(() => t.close());

  it('connects as a role that is no superuser and owns no table', async () => {
    const [me] = await t.db.query(`SELECT current_user AS name, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user`);
    expect(me).toEqual({ name: 'rsa_app', rolsuper: false, rolbypassrls: false });
    const owned = await t.db.query(`SELECT relname FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)`);
    expect(owned).toEqual([]);
  });

  const attempts: [string, string[]][] = [
    ['update', [`UPDATE disclosures SET recipient_id = learner_id WHERE id = $1`]],
    ['delete', [`DELETE FROM disclosures WHERE id = $1`]],
    ['delete a batch', [`DELETE FROM ledger_batches WHERE id = (SELECT batch_id FROM disclosures WHERE id = $1)`]],
    ['truncate', [`TRUNCATE disclosures CASCADE`]],
    ['update after switching retention on', [`SET app.ledger_retention = 'on'`, `UPDATE disclosures SET content = '' WHERE id = $1`]],
    ['disable the trigger', [`ALTER TABLE disclosures DISABLE TRIGGER disclosures_append_only`]],
    ['drop the trigger', [`DROP TRIGGER disclosures_append_only ON disclosures`]],
    ['replace the trigger function', [`CREATE OR REPLACE FUNCTION ledger_immutable() RETURNS trigger AS $f$ BEGIN RETURN COALESCE(NEW, OLD); END $f$ LANGUAGE plpgsql`]],
    ['turn triggers off for the session', [`SET session_replication_role = replica`, `DELETE FROM disclosures WHERE id = $1`]],
    ['become another role', [`SET ROLE postgres`]],
    ['shadow the catalogue the trigger asks', [`CREATE TEMP VIEW pg_roles AS SELECT current_user::name AS rolname, 0::oid AS oid`, `SET app.ledger_retention = 'on'`, `DELETE FROM disclosures WHERE id = $1`]],
  ];

  it.each(attempts)('cannot %s', async (_what, statements) => {
    const failed = await t.db.transaction(async (em) => {
      try {
        for (const sql of statements) await em.query(sql, sql.includes('$1') ? [entryId] : []);
        return null;
      } catch (e) {
        return (e as Error).message;
      }
    });
    expect(failed).toMatch(/permission denied|must be owner|append-only|not allowed|must be superuser/);
    const [row] = await t.admin.query(`SELECT content <> '' AS intact FROM disclosures WHERE id = $1`, [entryId]);
    expect(row).toEqual({ intact: true });
  });

  it('ledger_purge removes only content past the proof period; the ledger still verifies and reports it purged', async () => {
    // Not yet past the proof period (seven years by default): nothing happens.
    expect((await t.db.query(`SELECT ledger_purge($1::uuid[]) AS n`, [[entryId]]))[0].n).toBe(0);
    // An operator shortens the proof period (the application may not).
    await expect(t.db.query(`UPDATE ledger_policy SET proof_period = interval '0 seconds'`)).rejects.toThrow(/permission denied/);
    await t.admin.query(`UPDATE ledger_policy SET proof_period = interval '0 seconds'`);
    expect((await t.db.query(`SELECT ledger_purge($1::uuid[]) AS n`, [[entryId]]))[0].n).toBe(1);
    const [row] = await t.admin.query(`SELECT content, purged_at IS NOT NULL AS purged, entry_hash FROM disclosures WHERE id = $1`, [entryId]);
    expect(row).toMatchObject({ content: '', purged: true });
    expect((await t.gql(staff, VERIFY)).data.verifyLedger).toMatchObject({ ok: true, entriesPurged: 1, firstBroken: null });

    // A kept hash is still bound by the Merkle root: changing it is caught.
    await t.admin.transaction(async (em) => {
      await em.query(`SET LOCAL session_replication_role = replica`);
      await em.query(`UPDATE disclosures SET entry_hash = repeat('0', 64) WHERE id = $1`, [entryId]);
    });
    const broken = (await t.gql(staff, VERIFY)).data.verifyLedger;
    expect(broken.ok).toBe(false);
    expect(broken.firstBroken.problem).toBe('Merkle root does not match the entries');
  });

  it('even the owner, saying so, can only blank content; and blanking a recent entry is reported', async () => {
    // A database of its own: this test leaves its ledger broken on purpose.
    const t2 = await createTestApp();
    try {
      const w = world(t2.db);
      const staff2 = t2.token(staffClaims((await w.organisation('PROVIDER')).id));
      const employer = await w.organisation('EMPLOYER');
      const learner = await w.learner();
      await w.employment(learner.id, employer.id);
      await w.enrolment(learner.id, (await w.course()).id, employer.id, { sponsorEmployerId: employer.id });
      await w.agreement({ recipientId: employer.id, basis: 'PROCESSOR', categories: ['PROGRESS'] });
      await t2.gql(t2.token((await w.apiClient(employer)).claims), `{ learners { nodes { enrolments { progressPercent } } } }`);
      const [recent] = await t2.admin.query(`SELECT id FROM disclosures WHERE learner_id = $1`, [learner.id]);
      const asOwner = (sql: string) =>
        t2.admin.transaction(async (em) => {
          await em.query(`SET LOCAL app.ledger_retention = 'on'`);
          await em.query(sql, [recent.id]);
        });
      await expect(asOwner(`DELETE FROM disclosures WHERE id = $1`)).rejects.toThrow(/append-only/);
      await expect(asOwner(`UPDATE disclosures SET recipient_id = learner_id WHERE id = $1`)).rejects.toThrow(/append-only/);
      await expect(asOwner(`UPDATE disclosures SET content = '', purged_at = now(), entry_hash = repeat('0', 64) WHERE id = $1`)).rejects.toThrow(/append-only/);
      await expect(asOwner(`DELETE FROM ledger_batches WHERE id = (SELECT batch_id FROM disclosures WHERE id = $1)`)).rejects.toThrow(/append-only/);
      // Blanking is the one change let through — and a recent entry blanked outside ledger_purge is reported.
      await asOwner(`UPDATE disclosures SET content = '', purged_at = now() WHERE id = $1`);
      const res = (await t2.gql(staff2, VERIFY)).data.verifyLedger;
      expect(res.ok).toBe(false);
      expect(res.firstBroken).toEqual({ disclosureId: recent.id, problem: 'entry purged before its proof period ended' });
    } finally {
      await t2.close();
    }
  });
});
