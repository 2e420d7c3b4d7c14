import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Ledger entries without their `items` copy: the items are part of the hashed `content` (now
 * grouped by agreement version, see src/disclosures/disclosure-item.ts), and readers take them
 * from there. `ledger_append` takes the columns as arrays and the request's facts once, instead
 * of one JSON document PostgreSQL had to parse: the write of a 500-learner page is a third of
 * what it was (docs/benchmarks.md).
 */
export class CompactLedgerEntries1795600000000 implements MigrationInterface {
  name = 'CompactLedgerEntries1795600000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION ledger_append(smallint, text, jsonb)`);
    await queryRunner.query(`ALTER TABLE "disclosures" DROP COLUMN "items"`);
    await queryRunner.query(`
      CREATE FUNCTION ledger_append(
        p_chain smallint, p_merkle_root text, p_disclosed_at timestamptz, p_request_id text, p_operation_name text,
        p_recipient_id uuid, p_actor_subject text, p_api_client_id text,
        p_ids uuid[], p_notification_ids uuid[], p_learner_ids uuid[], p_contents text[], p_hashes text[]
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
                                 actor_subject, api_client_id, learner_id, content, entry_hash)
          SELECT u.id, v_batch, u.ord - 1, p_disclosed_at, p_request_id, p_operation_name, p_recipient_id,
                 p_actor_subject, p_api_client_id, u.learner_id, u.content, u.hash
            FROM unnest(p_ids, p_learner_ids, p_contents, p_hashes) WITH ORDINALITY AS u(id, learner_id, content, hash, ord);
        INSERT INTO notifications (id, learner_id, kind, disclosure_id)
          SELECT u.id, u.learner_id, 'DISCLOSURE', u.disclosure_id
            FROM unnest(p_notification_ids, p_learner_ids, p_ids) AS u(id, learner_id, disclosure_id);
        RETURN v_batch;
      END $$ LANGUAGE plpgsql`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION ledger_append(smallint, text, timestamptz, text, text, uuid, text, text, uuid[], uuid[], uuid[], text[], text[])`);
    await queryRunner.query(`ALTER TABLE "disclosures" ADD "items" jsonb`);
    // The copy is restored from the hashed content (in the grouped form); the ledger is
    // append-only except under the retention switch, which this transaction sets for itself.
    await queryRunner.query(`SELECT set_config('app.ledger_retention', 'on', true)`);
    await queryRunner.query(`UPDATE "disclosures" SET "items" = (content::jsonb)->'items'`);
    await queryRunner.query(`ALTER TABLE "disclosures" ALTER COLUMN "items" SET NOT NULL`);
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
  }
}
