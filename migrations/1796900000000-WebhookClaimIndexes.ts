import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the webhook dispatcher's claim (src/events/webhooks/webhook-dispatcher.ts), which
 * runs before every batch of deliveries:
 *
 * - The due index gains `id`, the claim's tiebreaker (`ORDER BY next_attempt_at, id`): without
 *   it PostgreSQL sorted every due delivery of an endpoint to take its first few — ~5 ms an
 *   endpoint with 7,500 due, on every claim.
 * - A partial index of the deliveries in flight (`status = 'SENDING'`): the claim counts them
 *   per endpoint and looks for expired leases. Both read the (endpoint, status) index before,
 *   which also holds every version of the rows that were once SENDING until vacuum (status is
 *   indexed, so no update of it is HOT): ~3 ms a claim in the middle of a drain.
 *
 * docs/benchmarks.md, "Round 3, twelfth session". Built without CONCURRENTLY, as every migration
 * here runs in a transaction: writes to the table wait while the indexes are built; on a large
 * table, run it at a quiet moment (docs/operations.md, "Migrations").
 */
export class WebhookClaimIndexes1796900000000 implements MigrationInterface {
  name = 'WebhookClaimIndexes1796900000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // Built first (CREATE INDEX blocks writes, not reads); the old index dropped and the new one
    // renamed last, so the exclusive lock that takes is held only until the commit that follows.
    await queryRunner.query(
      `CREATE INDEX "webhook_deliveries_due_idx_new" ON "webhook_deliveries"  ("endpoint_id", "next_attempt_at", "id") WHERE "status" IN ('PENDING', 'SENDING')`,
    );
    await queryRunner.query(
      `CREATE INDEX "webhook_deliveries_sending_idx" ON "webhook_deliveries"  ("endpoint_id", "lease_until") WHERE "status" = 'SENDING'`,
    );
    await queryRunner.query(`DROP INDEX "public"."webhook_deliveries_due_idx"`);
    await queryRunner.query(`ALTER INDEX "public"."webhook_deliveries_due_idx_new" RENAME TO "webhook_deliveries_due_idx"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."webhook_deliveries_sending_idx"`);
    await queryRunner.query(`DROP INDEX "public"."webhook_deliveries_due_idx"`);
    await queryRunner.query(
      `CREATE INDEX "webhook_deliveries_due_idx" ON "webhook_deliveries"  ("endpoint_id", "next_attempt_at") WHERE "status" IN ('PENDING', 'SENDING')`,
    );
  }
}
