import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Signed checkpoints of every ledger chain's head, kept apart from the chains: verification
 * compares the chains with the latest one, so cutting a chain's tail (its newest batches and their
 * entries) is reported, not only editing old links (docs/ledger-and-notifications.md). Append-only
 * like the ledger itself.
 */
export class LedgerCheckpoints1795800000000 implements MigrationInterface {
  name = 'LedgerCheckpoints1795800000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "ledger_checkpoints" ("id" BIGSERIAL NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "heads" jsonb NOT NULL, "kid" text NOT NULL, "signature" text NOT NULL, CONSTRAINT "PK_ledger_checkpoints" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE TRIGGER ledger_checkpoints_append_only BEFORE UPDATE OR DELETE ON ledger_checkpoints FOR EACH ROW EXECUTE FUNCTION ledger_immutable()`);
    await queryRunner.query(`CREATE TRIGGER ledger_checkpoints_no_truncate BEFORE TRUNCATE ON ledger_checkpoints FOR EACH STATEMENT EXECUTE FUNCTION ledger_immutable()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "ledger_checkpoints"`);
  }
}
