import { MigrationInterface, QueryRunner } from 'typeorm';

export class LedgerAndNotifications1795598035966 implements MigrationInterface {
  name = 'LedgerAndNotifications1795598035966';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "disclosures" ("id" uuid NOT NULL, "batch_id" bigint NOT NULL, "position" integer NOT NULL, "disclosed_at" TIMESTAMP WITH TIME ZONE NOT NULL, "request_id" text NOT NULL, "operation_name" text, "recipient_id" uuid NOT NULL, "actor_subject" text NOT NULL, "api_client_id" text, "learner_id" uuid NOT NULL, "items" jsonb NOT NULL, "content" text NOT NULL, "entry_hash" text NOT NULL, CONSTRAINT "PK_891a486784239e16ba51491fd1c" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "disclosures_batch_idx" ON "disclosures"  ("batch_id", "position") `,
    );
    await queryRunner.query(
      `CREATE INDEX "disclosures_recipient_idx" ON "disclosures"  ("recipient_id", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "disclosures_learner_idx" ON "disclosures"  ("learner_id", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "ledger_batches" ("id" BIGSERIAL NOT NULL, "chain" smallint NOT NULL, "seq" bigint NOT NULL, "entry_count" integer NOT NULL, "merkle_root" text NOT NULL, "prev_hash" text NOT NULL, "batch_hash" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_0818ee310a7936e057ac4b3b2b2" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ledger_batches_chain_seq_uq" ON "ledger_batches"  ("chain", "seq") `,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."notification_kind" AS ENUM('DISCLOSURE', 'AGREEMENT_COVERS_YOU', 'CONSENT_RECORDED', 'CONSENT_WITHDRAWN', 'OBJECTION_RECORDED', 'OBJECTION_LIFTED', 'RESTRICTION_RECORDED', 'RESTRICTION_LIFTED')`,
    );
    await queryRunner.query(
      `CREATE TABLE "notifications" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "learner_id" uuid NOT NULL, "kind" "public"."notification_kind" NOT NULL, "disclosure_id" uuid, "payload" jsonb NOT NULL DEFAULT '{}', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "read_at" TIMESTAMP WITH TIME ZONE, "emailed_at" TIMESTAMP WITH TIME ZONE, "email_message_id" text, CONSTRAINT "UQ_bb5d0dbb74136d146e9f0ff5f02" UNIQUE ("disclosure_id"), CONSTRAINT "PK_6a72c3c0f683f6462415e653c3a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "notifications_unsent_idx" ON "notifications"  ("learner_id") WHERE "emailed_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "notifications_learner_idx" ON "notifications"  ("learner_id", "id") `,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."notification_frequency" AS ENUM('IMMEDIATE', 'DAILY', 'WEEKLY')`,
    );
    await queryRunner.query(
      `ALTER TABLE "learners" ADD "notification_frequency" "public"."notification_frequency" NOT NULL DEFAULT 'IMMEDIATE'`,
    );
    // Hand-written (TypeORM does not generate functions or triggers). Appends one request's
    // entries as one link of a hash chain and queues their in-app notifications, in one round
    // trip. The advisory lock is per chain, so requests on different chains never wait.
    await queryRunner.query(`
      CREATE FUNCTION ledger_append(p_chain smallint, p_merkle_root text, p_entries jsonb) RETURNS bigint AS $$
      DECLARE v_prev text; v_seq bigint; v_batch bigint;
      BEGIN
        PERFORM pg_advisory_xact_lock(7340031, p_chain);
        SELECT batch_hash, seq INTO v_prev, v_seq FROM ledger_batches WHERE chain = p_chain ORDER BY seq DESC LIMIT 1;
        IF v_prev IS NULL THEN v_prev := repeat('0', 64); v_seq := 0; END IF;
        INSERT INTO ledger_batches (chain, seq, entry_count, merkle_root, prev_hash, batch_hash)
          VALUES (p_chain, v_seq + 1, jsonb_array_length(p_entries), p_merkle_root, v_prev,
                  encode(sha256(convert_to(v_prev || '|' || p_chain || '|' || (v_seq + 1) || '|' || p_merkle_root, 'UTF8')), 'hex'))
          RETURNING id INTO v_batch;
        INSERT INTO disclosures (id, batch_id, position, disclosed_at, request_id, operation_name, recipient_id,
                                 actor_subject, api_client_id, learner_id, items, content, entry_hash)
          SELECT (e->>'id')::uuid, v_batch, (e->>'position')::int, (e->>'disclosedAt')::timestamptz, e->>'requestId',
                 e->>'operationName', (e->>'recipientId')::uuid, e->>'actorSubject', e->>'apiClientId',
                 (e->>'learnerId')::uuid, e->'items', e->>'content', e->>'entryHash'
            FROM jsonb_array_elements(p_entries) e;
        INSERT INTO notifications (id, learner_id, kind, disclosure_id)
          SELECT (e->>'notificationId')::uuid, (e->>'learnerId')::uuid, 'DISCLOSURE', (e->>'id')::uuid
            FROM jsonb_array_elements(p_entries) e;
        RETURN v_batch;
      END $$ LANGUAGE plpgsql`);
    // Append-only for the application (docs/ledger-and-notifications.md): only retention may remove, and it says so.
    await queryRunner.query(`
      CREATE FUNCTION ledger_immutable() RETURNS trigger AS $$
      BEGIN
        IF current_setting('app.ledger_retention', true) = 'on' THEN RETURN COALESCE(NEW, OLD); END IF;
        RAISE EXCEPTION 'the disclosure ledger is append-only' USING ERRCODE = 'insufficient_privilege';
      END $$ LANGUAGE plpgsql`);
    for (const table of ['disclosures', 'ledger_batches']) {
      await queryRunner.query(
        `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION ledger_immutable()`,
      );
      await queryRunner.query(
        `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION ledger_immutable()`,
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['disclosures', 'ledger_batches']) {
      await queryRunner.query(`DROP TRIGGER ${table}_no_truncate ON ${table}`);
      await queryRunner.query(`DROP TRIGGER ${table}_append_only ON ${table}`);
    }
    await queryRunner.query(`DROP FUNCTION ledger_immutable()`);
    await queryRunner.query(`DROP FUNCTION ledger_append(smallint, text, jsonb)`);
    await queryRunner.query(`ALTER TABLE "learners" DROP COLUMN "notification_frequency"`);
    await queryRunner.query(`DROP TYPE "public"."notification_frequency"`);
    await queryRunner.query(`DROP INDEX "public"."notifications_learner_idx"`);
    await queryRunner.query(`DROP INDEX "public"."notifications_unsent_idx"`);
    await queryRunner.query(`DROP TABLE "notifications"`);
    await queryRunner.query(`DROP TYPE "public"."notification_kind"`);
    await queryRunner.query(`DROP INDEX "public"."ledger_batches_chain_seq_uq"`);
    await queryRunner.query(`DROP TABLE "ledger_batches"`);
    await queryRunner.query(`DROP INDEX "public"."disclosures_learner_idx"`);
    await queryRunner.query(`DROP INDEX "public"."disclosures_recipient_idx"`);
    await queryRunner.query(`DROP INDEX "public"."disclosures_batch_idx"`);
    await queryRunner.query(`DROP TABLE "disclosures"`);
  }
}
