import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ledger's one change path. The append-only trigger now lets a row change only when its
 * table's owner asks for it (a session switch alone no longer does), and `ledger_purge`, owned by
 * that role and SECURITY DEFINER, is the only way the application can ask: it removes the content
 * of entries older than the proof period and keeps their hash, chain position and batch, so the
 * ledger still verifies (docs/ledger-and-notifications.md; src/database/roles.ts).
 */
export class LeastPrivilegeLedger1795900000000 implements MigrationInterface {
  name = 'LeastPrivilegeLedger1795900000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "disclosures" ADD "purged_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(
      `CREATE TABLE "ledger_policy" ("id" boolean PRIMARY KEY DEFAULT true CHECK ("id"), "proof_period" interval NOT NULL DEFAULT interval '7 years')`,
    );
    await queryRunner.query(`INSERT INTO "ledger_policy" DEFAULT VALUES`);
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION ledger_immutable() RETURNS trigger AS $$
      BEGIN
        IF current_setting('app.ledger_retention', true) = 'on'
           AND current_user = (SELECT r.rolname FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE c.oid = TG_RELID) THEN
          RETURN COALESCE(NEW, OLD);
        END IF;
        RAISE EXCEPTION 'the disclosure ledger is append-only' USING ERRCODE = 'insufficient_privilege';
      END $$ LANGUAGE plpgsql`);
    await queryRunner.query(`
      CREATE FUNCTION ledger_purge(p_ids uuid[]) RETURNS integer
      SECURITY DEFINER SET search_path = public, pg_temp AS $$
      DECLARE v_count integer;
      BEGIN
        PERFORM set_config('app.ledger_retention', 'on', true);
        UPDATE disclosures SET content = '', purged_at = now()
         WHERE id = ANY(p_ids) AND purged_at IS NULL
           AND disclosed_at < now() - (SELECT proof_period FROM ledger_policy);
        GET DIAGNOSTICS v_count = ROW_COUNT;
        PERFORM set_config('app.ledger_retention', 'off', true);
        RETURN v_count;
      END $$ LANGUAGE plpgsql`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION ledger_purge(uuid[])`);
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION ledger_immutable() RETURNS trigger AS $$
      BEGIN
        IF current_setting('app.ledger_retention', true) = 'on' THEN RETURN COALESCE(NEW, OLD); END IF;
        RAISE EXCEPTION 'the disclosure ledger is append-only' USING ERRCODE = 'insufficient_privilege';
      END $$ LANGUAGE plpgsql`);
    await queryRunner.query(`DROP TABLE "ledger_policy"`);
    await queryRunner.query(`ALTER TABLE "disclosures" DROP COLUMN "purged_at"`);
  }
}
