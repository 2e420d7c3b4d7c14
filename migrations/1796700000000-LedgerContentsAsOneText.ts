import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * ledger_append takes the entries' contents as one text, newline-separated, instead of a text
 * array. A 500-entry page's contents are ~750 kB of JSON, full of quotes: as an array literal the
 * driver escaped every quote and PostgreSQL unescaped it again, and the encoding was one block
 * of the API's event loop (docs/benchmarks.md). JSON.stringify never writes a raw newline (it
 * escapes control characters inside strings), so a newline cannot occur inside an entry and
 * splits them exactly; the function checks that the count matches the ids all the same.
 */
export class LedgerContentsAsOneText1796700000000 implements MigrationInterface {
  name = 'LedgerContentsAsOneText1796700000000';

  // The text[] form stays beside the new one (an overload: calls name the parameter's type), so
  // API processes of the previous release keep writing the ledger during a rolling deploy instead
  // of failing closed; a later migration may drop it once no such process can be running.
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(ledgerAppend('text'));
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION ledger_append(${PARAMS('text')})`);
  }
}

const PARAMS = (contents: 'text' | 'text[]') =>
  `smallint, text, timestamptz, text, text, uuid, text, text, uuid[], uuid[], uuid[], ${contents}, text[], ledger_entry_kind`;

function ledgerAppend(contents: 'text' | 'text[]'): string {
  const split = contents === 'text';
  return `
    CREATE FUNCTION ledger_append(
      p_chain smallint, p_merkle_root text, p_disclosed_at timestamptz, p_request_id text, p_operation_name text,
      p_recipient_id uuid, p_actor_subject text, p_api_client_id text,
      p_ids uuid[], p_notification_ids uuid[], p_learner_ids uuid[], p_contents ${contents}, p_hashes text[],
      p_kind ledger_entry_kind DEFAULT 'DISCLOSURE'
    ) RETURNS bigint AS $$
    DECLARE v_prev text; v_seq bigint; v_batch bigint;${split ? ' v_contents text[];' : ''}
    BEGIN
      ${
        split
          ? `v_contents := string_to_array(p_contents, E'\\n');
      IF coalesce(cardinality(v_contents), 0) <> cardinality(p_ids) THEN
        RAISE EXCEPTION 'ledger_append: % contents for % entries', coalesce(cardinality(v_contents), 0), cardinality(p_ids);
      END IF;`
          : ''
      }
      -- One lock per chain (not one for the ledger): writers on different chains never wait.
      PERFORM pg_advisory_xact_lock(7340031, p_chain);
      SELECT batch_hash, seq INTO v_prev, v_seq FROM ledger_batches WHERE chain = p_chain ORDER BY seq DESC LIMIT 1;
      IF v_prev IS NULL THEN v_prev := repeat('0', 64); v_seq := 0; END IF;
      INSERT INTO ledger_batches (chain, seq, entry_count, merkle_root, prev_hash, batch_hash)
        VALUES (p_chain, v_seq + 1, cardinality(p_ids), p_merkle_root, v_prev,
                encode(sha256(convert_to(v_prev || '|' || p_chain || '|' || (v_seq + 1) || '|' || p_merkle_root, 'UTF8')), 'hex'))
        RETURNING id INTO v_batch;
      INSERT INTO disclosures (id, batch_id, position, disclosed_at, request_id, operation_name, recipient_id,
                               actor_subject, api_client_id, learner_id, content, entry_hash, kind)
        SELECT u.id, v_batch, u.ord - 1, p_disclosed_at, p_request_id, p_operation_name, p_recipient_id,
               p_actor_subject, p_api_client_id, u.learner_id, u.content, u.hash, p_kind
          FROM unnest(p_ids, p_learner_ids, ${split ? 'v_contents' : 'p_contents'}, p_hashes) WITH ORDINALITY AS u(id, learner_id, content, hash, ord);
      INSERT INTO notifications (id, learner_id, kind, disclosure_id)
        SELECT u.id, u.learner_id, CASE p_kind WHEN 'DISCLOSURE' THEN 'DISCLOSURE' ELSE 'ACCESS_ENDED' END::notification_kind, u.disclosure_id
          FROM unnest(p_notification_ids, p_learner_ids, p_ids) AS u(id, learner_id, disclosure_id);
      RETURN v_batch;
    END $$ LANGUAGE plpgsql`;
}
