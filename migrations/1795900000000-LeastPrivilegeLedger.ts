import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ledger's one change path. The append-only trigger now lets exactly one change through: the
 * tables' owner, saying so, blanking an entry's content and stamping `purged_at` — nothing else of
 * any row, no delete, nothing of batches or checkpoints (a session switch alone no longer does).
 * `ledger_purge`, owned by that role and SECURITY DEFINER, is the only way the application can
 * ask: it purges entries older than the proof period and keeps their hash, chain position and
 * batch, so the ledger still verifies (docs/ledger-and-notifications.md; src/database/roles.ts).
 */
export class LeastPrivilegeLedger1795900000000 implements MigrationInterface {
  name = 'LeastPrivilegeLedger1795900000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "disclosures" ADD "purged_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(
      `CREATE TABLE "ledger_policy" ("id" boolean PRIMARY KEY DEFAULT true CHECK ("id"), "proof_period" interval NOT NULL DEFAULT interval '7 years')`,
    );
    await queryRunner.query(`INSERT INTO "ledger_policy" DEFAULT VALUES`);
    // Names qualified and search_path pinned: a session cannot shadow pg_roles with a temporary view.
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION ledger_immutable() RETURNS trigger
      SET search_path = pg_catalog AS $$
      BEGIN
        -- Exactly the purge (ledger_purge): the owner, saying so, blanking content and stamping
        -- purged_at of an entry, every other column as it was. Batches and checkpoints never change.
        IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'disclosures'
           AND current_setting('app.ledger_retention', true) = 'on'
           AND current_user = (SELECT r.rolname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_roles r ON r.oid = c.relowner WHERE c.oid = TG_RELID) THEN
          IF NEW.content = '' AND NEW.purged_at IS NOT NULL AND OLD.purged_at IS NULL
             AND (NEW.id, NEW.batch_id, NEW.position, NEW.disclosed_at, NEW.request_id, NEW.operation_name, NEW.recipient_id,
                  NEW.actor_subject, NEW.api_client_id, NEW.learner_id, NEW.entry_hash)
                 IS NOT DISTINCT FROM
                 (OLD.id, OLD.batch_id, OLD.position, OLD.disclosed_at, OLD.request_id, OLD.operation_name, OLD.recipient_id,
                  OLD.actor_subject, OLD.api_client_id, OLD.learner_id, OLD.entry_hash) THEN
            RETURN NEW;
          END IF;
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
