import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Events for recipients (docs/events.md): the event feed, webhook endpoints and deliveries, what
 * each recipient received (to tell it when access ends), and the triggers that make every write
 * path feed them: a change of an enrolment's categories becomes an `enrolment_changes` row, and a
 * change that can end access (an agreement, mandate or employment changed or gone, an objection,
 * a restriction, an erasure, an enrolment deleted) an `access_checks` row — in the writer's own
 * transaction, whichever code wrote it. The ledger gets a second kind of entry, ACCESS_ENDED: the
 * record that a recipient was told to delete.
 */
export class EventsAndWebhooks1796600000000 implements MigrationInterface {
  name = 'EventsAndWebhooks1796600000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "events" ("position" BIGSERIAL NOT NULL, "id" uuid NOT NULL, "recipient_id" uuid NOT NULL, "type" text NOT NULL, "learner_id" uuid, "enrolment_id" uuid, "course_id" uuid, "categories" text array NOT NULL DEFAULT '{}', "reason" text, "endpoint_id" uuid, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_40731c7151fe4be3116e45ddf73" UNIQUE ("id"), CONSTRAINT "PK_d5e01c63c9c1aa38b3c7015184b" PRIMARY KEY ("position"))`,
    );
    await queryRunner.query(`CREATE INDEX "events_created_idx" ON "events"  ("created_at") `);
    await queryRunner.query(
      `CREATE INDEX "events_recipient_idx" ON "events"  ("recipient_id", "position") `,
    );
    await queryRunner.query(
      `CREATE TABLE "enrolment_changes" ("id" BIGSERIAL NOT NULL, "enrolment_id" uuid NOT NULL, "learner_id" uuid NOT NULL, "created" boolean NOT NULL, "categories" text array NOT NULL, "changed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_0e7b55847c8ec0d0b752d885e7e" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "event_watermarks" ("name" text NOT NULL, "seq" bigint, "at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_8eb6e87010671b508ff70c86ecc" PRIMARY KEY ("name"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "access_checks" ("id" BIGSERIAL NOT NULL, "learner_id" uuid, "recipient_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_1569cf36e1aa00724b52a9efad5" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "recipient_access" ("recipient_id" uuid NOT NULL, "enrolment_id" uuid NOT NULL, "learner_id" uuid NOT NULL, "course_id" uuid NOT NULL, "categories" text array NOT NULL, "grants" jsonb NOT NULL, "last_disclosed_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_59400be0bd7e582ad807740db0d" PRIMARY KEY ("recipient_id", "enrolment_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "recipient_access_learner_idx" ON "recipient_access"  ("learner_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "webhook_endpoints" ("id" uuid NOT NULL, "owner_id" uuid NOT NULL, "url" text NOT NULL, "description" text, "event_types" text array NOT NULL, "enabled" boolean NOT NULL DEFAULT true, "disabled_reason" text, "max_in_flight" smallint NOT NULL, "secret" text NOT NULL, "previous_secret" text, "previous_secret_until" TIMESTAMP WITH TIME ZONE, "consecutive_failures" integer NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_054c4cfb95223732f5939d2d546" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "webhook_endpoints_owner_idx" ON "webhook_endpoints"  ("owner_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "webhook_deliveries" ("id" uuid NOT NULL, "endpoint_id" uuid NOT NULL, "event_id" uuid NOT NULL, "status" text NOT NULL DEFAULT 'PENDING', "attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "lease_until" TIMESTAMP WITH TIME ZONE, "last_attempt_at" TIMESTAMP WITH TIME ZONE, "last_status" integer, "last_error" text, "delivered_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "webhook_deliveries_once" UNIQUE ("endpoint_id", "event_id"), CONSTRAINT "PK_535dd409947fb6d8fc6dfc0112a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "webhook_deliveries_event_idx" ON "webhook_deliveries"  ("event_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "webhook_deliveries_endpoint_idx" ON "webhook_deliveries"  ("endpoint_id", "status") `,
    );
    await queryRunner.query(
      `CREATE INDEX "webhook_deliveries_due_idx" ON "webhook_deliveries"  ("endpoint_id", "next_attempt_at") WHERE "status" IN ('PENDING', 'SENDING')`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."ledger_entry_kind" AS ENUM('DISCLOSURE', 'ACCESS_ENDED')`,
    );
    await queryRunner.query(
      `ALTER TABLE "disclosures" ADD "kind" "public"."ledger_entry_kind" NOT NULL DEFAULT 'DISCLOSURE'`,
    );
    await queryRunner.query(`ALTER TYPE "public"."notification_kind" ADD VALUE 'ACCESS_ENDED'`);
    await queryRunner.query(
      `ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "FK_0b882c26a9b91c26e6e86b4867c" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoints"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "FK_27d1ee90033bdafe0ffe8f1be6f" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );

    // What the triggers write: statement-level, so a change of 1,000 rows is one INSERT.
    await queryRunner.query(`
          CREATE FUNCTION events_enrolments_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            INSERT INTO enrolment_changes (enrolment_id, learner_id, created, categories)
              SELECT id, learner_id, true, ARRAY['ENROLMENT_STATUS'] FROM new_rows;
            RETURN NULL;
          END $$`);
    // A category changed when its stamp in changed_at moved (src/enrolments/category-changes.ts).
    await queryRunner.query(`
          CREATE FUNCTION events_enrolments_updated() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            INSERT INTO enrolment_changes (enrolment_id, learner_id, created, categories)
              SELECT n.id, n.learner_id, false, c.categories
                FROM new_rows n JOIN old_rows o ON o.id = n.id
                CROSS JOIN LATERAL (SELECT array_agg(k.key ORDER BY k.key) AS categories FROM jsonb_each(n.changed_at) k
                                     WHERE k.value IS DISTINCT FROM o.changed_at -> k.key) c
               WHERE c.categories IS NOT NULL;
            RETURN NULL;
          END $$`);
    await queryRunner.query(
      `CREATE TRIGGER enrolments_events_inserted AFTER INSERT ON enrolments REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION events_enrolments_inserted()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER enrolments_events_updated AFTER UPDATE ON enrolments REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION events_enrolments_updated()`,
    );
    // Arguments: the transition table, the learner and recipient expressions (NULL: any), a filter.
    await queryRunner.query(`
          CREATE FUNCTION events_access_check() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            EXECUTE format('INSERT INTO access_checks (learner_id, recipient_id) SELECT DISTINCT %s, %s FROM %I WHERE %s',
                           TG_ARGV[1], TG_ARGV[2], TG_ARGV[0], TG_ARGV[3]);
            RETURN NULL;
          END $$`);
    const checks: [
      table: string,
      event: 'UPDATE' | 'DELETE' | 'INSERT',
      learner: string,
      recipient: string,
      filter: string,
    ][] = [
      // Revoked, withdrawn, expired early, superseded by a narrower version, or deleted.
      ['sharing_agreements', 'UPDATE', 'learner_id', 'recipient_id', 'true'],
      ['sharing_agreements', 'DELETE', 'learner_id', 'recipient_id', 'true'],
      // Ended, revoked or narrowed: what the broker read through it.
      ['broker_mandates', 'UPDATE', 'NULL::uuid', 'broker_id', 'true'],
      ['broker_mandates', 'DELETE', 'NULL::uuid', 'broker_id', 'true'],
      ['employments', 'UPDATE', 'learner_id', 'NULL::uuid', 'true'],
      ['employments', 'DELETE', 'learner_id', 'NULL::uuid', 'true'],
      ['objections', 'INSERT', 'learner_id', 'NULL::uuid', 'true'],
      ['restrictions', 'INSERT', 'learner_id', 'NULL::uuid', 'true'],
      ['learners', 'UPDATE', 'id', 'NULL::uuid', 'erased_at IS NOT NULL'],
      ['enrolments', 'DELETE', 'learner_id', 'NULL::uuid', 'true'],
    ];
    for (const [table, event, learner, recipient, filter] of checks) {
      const rows = event === 'INSERT' || table === 'learners' ? 'new_rows' : 'old_rows';
      const ref = rows === 'new_rows' ? 'NEW TABLE AS new_rows' : 'OLD TABLE AS old_rows';
      await queryRunner.query(
        `CREATE TRIGGER ${table}_access_check_${event.toLowerCase()} AFTER ${event} ON ${table} REFERENCING ${ref}
               FOR EACH STATEMENT EXECUTE FUNCTION events_access_check('${rows}', '${learner}', '${recipient}', '${filter.replace(/'/g, "''")}')`,
      );
    }
    // ledger_append with the entry's kind: an ACCESS_ENDED entry tells the learner too, with
    // an inbox row of its own kind.
    await queryRunner.query(
      `DROP FUNCTION ledger_append(smallint, text, timestamptz, text, text, uuid, text, text, uuid[], uuid[], uuid[], text[], text[])`,
    );
    await queryRunner.query(ledgerAppend(true));
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DROP FUNCTION ledger_append(smallint, text, timestamptz, text, text, uuid, text, text, uuid[], uuid[], uuid[], text[], text[], ledger_entry_kind)`,
    );
    await queryRunner.query(ledgerAppend(false));
    for (const t of [
      'sharing_agreements_access_check_update',
      'sharing_agreements_access_check_delete',
      'broker_mandates_access_check_update',
      'broker_mandates_access_check_delete',
      'employments_access_check_update',
      'employments_access_check_delete',
      'objections_access_check_insert',
      'restrictions_access_check_insert',
      'learners_access_check_update',
      'enrolments_access_check_delete',
      'enrolments_events_inserted',
      'enrolments_events_updated',
    ]) {
      await queryRunner.query(
        `DROP TRIGGER ${t} ON ${t.replace(/_(access_check|events)_.*$/, '')}`,
      );
    }
    await queryRunner.query(`DROP FUNCTION events_access_check()`);
    await queryRunner.query(`DROP FUNCTION events_enrolments_updated()`);
    await queryRunner.query(`DROP FUNCTION events_enrolments_inserted()`);
    await queryRunner.query(
      `ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "FK_27d1ee90033bdafe0ffe8f1be6f"`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "FK_0b882c26a9b91c26e6e86b4867c"`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."notification_kind_old" AS ENUM('DISCLOSURE', 'AGREEMENT_COVERS_YOU', 'CONSENT_RECORDED', 'CONSENT_WITHDRAWN', 'OBJECTION_RECORDED', 'OBJECTION_LIFTED', 'RESTRICTION_RECORDED', 'RESTRICTION_LIFTED', 'ENROLLED', 'REQUEST_RECEIVED', 'REQUEST_EXTENDED', 'REQUEST_ANSWERED', 'REQUEST_REJECTED', 'EXPORT_READY')`,
    );
    await queryRunner.query(
      `ALTER TABLE "notifications" ALTER COLUMN "kind" TYPE "public"."notification_kind_old" USING "kind"::"text"::"public"."notification_kind_old"`,
    );
    await queryRunner.query(`DROP TYPE "public"."notification_kind"`);
    await queryRunner.query(
      `ALTER TYPE "public"."notification_kind_old" RENAME TO "notification_kind"`,
    );
    await queryRunner.query(`ALTER TABLE "disclosures" DROP COLUMN "kind"`);
    await queryRunner.query(`DROP TYPE "public"."ledger_entry_kind"`);
    await queryRunner.query(`DROP INDEX "public"."webhook_deliveries_due_idx"`);
    await queryRunner.query(`DROP INDEX "public"."webhook_deliveries_endpoint_idx"`);
    await queryRunner.query(`DROP INDEX "public"."webhook_deliveries_event_idx"`);
    await queryRunner.query(`DROP TABLE "webhook_deliveries"`);
    await queryRunner.query(`DROP INDEX "public"."webhook_endpoints_owner_idx"`);
    await queryRunner.query(`DROP TABLE "webhook_endpoints"`);
    await queryRunner.query(`DROP INDEX "public"."recipient_access_learner_idx"`);
    await queryRunner.query(`DROP TABLE "recipient_access"`);
    await queryRunner.query(`DROP TABLE "access_checks"`);
    await queryRunner.query(`DROP TABLE "event_watermarks"`);
    await queryRunner.query(`DROP TABLE "enrolment_changes"`);
    await queryRunner.query(`DROP INDEX "public"."events_recipient_idx"`);
    await queryRunner.query(`DROP INDEX "public"."events_created_idx"`);
    await queryRunner.query(`DROP TABLE "events"`);
  }
}

/** The ledger's append function, with (kind) or without (as before this migration) the entry kind. */
function ledgerAppend(withKind: boolean): string {
  return `
    CREATE FUNCTION ledger_append(
      p_chain smallint, p_merkle_root text, p_disclosed_at timestamptz, p_request_id text, p_operation_name text,
      p_recipient_id uuid, p_actor_subject text, p_api_client_id text,
      p_ids uuid[], p_notification_ids uuid[], p_learner_ids uuid[], p_contents text[], p_hashes text[]${
        withKind
          ? `,
      p_kind ledger_entry_kind DEFAULT 'DISCLOSURE'`
          : ''
      }
    ) RETURNS bigint AS $$
    DECLARE v_prev text; v_seq bigint; v_batch bigint;
    BEGIN
      -- One lock per chain (not one for the ledger): writers on different chains never wait.
      PERFORM pg_advisory_xact_lock(7340031, p_chain);
      SELECT batch_hash, seq INTO v_prev, v_seq FROM ledger_batches WHERE chain = p_chain ORDER BY seq DESC LIMIT 1;
      IF v_prev IS NULL THEN v_prev := repeat('0', 64); v_seq := 0; END IF;
      INSERT INTO ledger_batches (chain, seq, entry_count, merkle_root, prev_hash, batch_hash)
        VALUES (p_chain, v_seq + 1, cardinality(p_ids), p_merkle_root, v_prev,
                encode(sha256(convert_to(v_prev || '|' || p_chain || '|' || (v_seq + 1) || '|' || p_merkle_root, 'UTF8')), 'hex'))
        RETURNING id INTO v_batch;
      INSERT INTO disclosures (id, batch_id, position, disclosed_at, request_id, operation_name, recipient_id,
                               actor_subject, api_client_id, learner_id, content, entry_hash${withKind ? ', kind' : ''})
        SELECT u.id, v_batch, u.ord - 1, p_disclosed_at, p_request_id, p_operation_name, p_recipient_id,
               p_actor_subject, p_api_client_id, u.learner_id, u.content, u.hash${withKind ? ', p_kind' : ''}
          FROM unnest(p_ids, p_learner_ids, p_contents, p_hashes) WITH ORDINALITY AS u(id, learner_id, content, hash, ord);
      INSERT INTO notifications (id, learner_id, kind, disclosure_id)
        SELECT u.id, u.learner_id, ${withKind ? `CASE p_kind WHEN 'DISCLOSURE' THEN 'DISCLOSURE' ELSE 'ACCESS_ENDED' END::notification_kind` : `'DISCLOSURE'`}, u.disclosure_id
          FROM unnest(p_notification_ids, p_learner_ids, p_ids) AS u(id, learner_id, disclosure_id);
      RETURN v_batch;
    END $$ LANGUAGE plpgsql`;
}
