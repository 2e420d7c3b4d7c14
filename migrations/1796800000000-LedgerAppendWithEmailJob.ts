import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * ledger_append also inserts the email job, so a page's whole ledger write is one statement: the
 * chain link, the entries, their inbox rows and the job commit together as that statement's own
 * transaction, with no BEGIN, job insert and COMMIT to wait for in between (docs/benchmarks.md).
 *
 * The job row is the one pg-boss's insert() writes for the same job (pg-boss 10: plans.js,
 * insertJobs): the queue's dead letter queue, policy and retention, the job's own retry and
 * expiry settings; a test compares the two rows column by column, so an upgrade of pg-boss that
 * changes its job table fails there, not in production. It writes only the fields emailJob()
 * sets, into a standard queue; anything else — a missing queue, a unique-job policy, a field it
 * would ignore — is an error, and the whole call fails (fail closed: no disclosure without its
 * notification).
 *
 * Entries written through this function carry only what was disclosed in `content`; their facts
 * are the row's columns, hashed with it (src/disclosures/ledger-hash.ts). The function stores
 * what it is given, so the form is the writer's; the verifier reads both forms.
 *
 * The earlier overloads stay, so API processes of the previous release keep writing the ledger
 * during a rolling deploy; this one has no parameter defaults, so a call with the previous
 * release's 14 arguments still resolves to exactly one function.
 */
export class LedgerAppendWithEmailJob1796800000000 implements MigrationInterface {
  name = 'LedgerAppendWithEmailJob1796800000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION ledger_append(
        p_chain smallint, p_merkle_root text, p_disclosed_at timestamptz, p_request_id text, p_operation_name text,
        p_recipient_id uuid, p_actor_subject text, p_api_client_id text,
        p_ids uuid[], p_notification_ids uuid[], p_learner_ids uuid[], p_contents text, p_hashes text[],
        p_kind ledger_entry_kind, p_email_job jsonb
      ) RETURNS bigint AS $$
      DECLARE v_prev text; v_seq bigint; v_batch bigint; v_contents text[];
      BEGIN
        v_contents := string_to_array(p_contents, E'\\n');
        IF coalesce(cardinality(v_contents), 0) <> cardinality(p_ids) THEN
          RAISE EXCEPTION 'ledger_append: % contents for % entries', coalesce(cardinality(v_contents), 0), cardinality(p_ids);
        END IF;
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
            FROM unnest(p_ids, p_learner_ids, v_contents, p_hashes) WITH ORDINALITY AS u(id, learner_id, content, hash, ord);
        INSERT INTO notifications (id, learner_id, kind, disclosure_id)
          SELECT u.id, u.learner_id, CASE p_kind WHEN 'DISCLOSURE' THEN 'DISCLOSURE' ELSE 'ACCESS_ENDED' END::notification_kind, u.disclosure_id
            FROM unnest(p_notification_ids, p_learner_ids, p_ids) AS u(id, learner_id, disclosure_id);
        -- Only the fields this insert writes as pg-boss would: a job asking for more (a singleton,
        -- a priority, its own dead-letter queue) must not be written without them, silently.
        IF EXISTS (SELECT 1 FROM jsonb_object_keys(p_email_job) k
                    WHERE k NOT IN ('name', 'data', 'startAfter', 'retryLimit', 'retryDelay', 'retryBackoff', 'expireInSeconds')) THEN
          RAISE EXCEPTION 'ledger_append: job fields beyond those it writes: %', p_email_job;
        END IF;
        -- A queue whose policy makes jobs unique (singleton, short, stately) would need pg-boss's
        -- ON CONFLICT handling; the email queue is a standard one (src/outbox/job-queue.ts).
        IF NOT EXISTS (SELECT 1 FROM pgboss.queue WHERE name = p_email_job->>'name' AND policy = 'standard') THEN
          RAISE EXCEPTION 'ledger_append: no standard job queue %', p_email_job->>'name';
        END IF;
        INSERT INTO pgboss.job (id, name, data, priority, start_after, dead_letter, expire_in, keep_until,
                                retry_limit, retry_delay, retry_backoff, policy)
          SELECT gen_random_uuid(), q.name, p_email_job->'data', 0, j.start_after, q.dead_letter,
                 coalesce((p_email_job->>'expireInSeconds')::numeric * interval '1s', q.expire_seconds * interval '1s', interval '15 minutes'),
                 j.start_after + CAST(coalesce((q.retention_minutes * 60)::text, '14 days') AS interval),
                 coalesce((p_email_job->>'retryLimit')::int, q.retry_limit, 2),
                 CASE WHEN j.backoff THEN greatest(coalesce((p_email_job->>'retryDelay')::int, q.retry_delay), 1)
                      ELSE coalesce((p_email_job->>'retryDelay')::int, q.retry_delay, 0) END,
                 j.backoff, q.policy
            FROM pgboss.queue q
            CROSS JOIN LATERAL (
              SELECT coalesce((p_email_job->>'startAfter')::timestamptz, now()) AS start_after,
                     coalesce((p_email_job->>'retryBackoff')::boolean, q.retry_backoff, false) AS backoff
            ) j
           WHERE q.name = p_email_job->>'name';
        RETURN v_batch;
      END $$ LANGUAGE plpgsql`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DROP FUNCTION ledger_append(smallint, text, timestamptz, text, text, uuid, text, text, uuid[], uuid[], uuid[], text, text[], ledger_entry_kind, jsonb)`,
    );
  }
}
