import type { QueryRunner } from 'typeorm';

/** Ledger batches one step reads per chain. */
const BATCHES_PER_STEP = 200;
/** Chains are numbered below this (LEDGER_CHAINS' upper bound). */
const MAX_CHAINS = 1024;

/**
 * Keeps `recipient_access` — what each recipient has received of each enrolment — up to date
 * with the ledger, so that access that ends can be told (docs/events.md, "Access ended").
 *
 * It follows each ledger chain by sequence number: within a chain, batches commit in sequence
 * order (ledger_append holds the chain's lock until commit), so a watermark per chain never
 * skips a batch. It reads the hashed content, the one record of what was disclosed, after the
 * fact: the gated read path writes nothing more than it did.
 *
 * One call reads at most BATCHES_PER_STEP batches of each chain, so a caller can commit as it
 * goes: a first start on a long ledger is many short transactions, not one.
 *
 * A row that gains a category gets an access check: the disclosure may have been decided just
 * before the access ended, and committed after the check for that ending had run.
 */
export async function trackReceived(qr: QueryRunner): Promise<{ batches: number; checks: number }> {
  let total = 0;
  let batchesRead = 0;
  const behind: { chain: number; seq: string }[] = await qr.query(
    `SELECT g AS chain, coalesce(w.seq, 0) AS seq
       FROM generate_series(0, ${MAX_CHAINS - 1}) g
       LEFT JOIN event_watermarks w ON w.name = 'ledger-chain-' || g
      WHERE EXISTS (SELECT 1 FROM ledger_batches b WHERE b.chain = g AND b.seq > coalesce(w.seq, 0))`,
  );
  for (const { chain, seq } of behind) {
    let after = seq;
    for (;;) {
      const batches: { id: string; seq: string }[] = await qr.query(
        `SELECT id, seq FROM ledger_batches WHERE chain = $1 AND seq > $2 ORDER BY seq LIMIT ${BATCHES_PER_STEP}`,
        [chain, after],
      );
      if (batches.length === 0) break;
      const [{ n }] = await qr.query(
        `WITH rx AS (
           SELECT d.recipient_id, (i->>'enrolmentId')::uuid AS enrolment_id, d.learner_id, (i->>'courseId')::uuid AS course_id,
                  x.category, x.granted, d.disclosed_at
             FROM disclosures d
             CROSS JOIN LATERAL jsonb_array_elements((d.content::jsonb)->'items') i
             CROSS JOIN LATERAL (
               -- Entries group categories by grant; entries written before that list them one by one.
               SELECT c.value AS category, g.value - 'categories' AS granted
                 FROM jsonb_array_elements(coalesce(i->'grants', '[]')) g, jsonb_array_elements_text(g.value->'categories') c
               UNION ALL
               SELECT c.value->>'category', c.value - 'category'
                 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(i->'categories') = 'array' THEN i->'categories' ELSE '[]' END) c
             ) x
            WHERE d.batch_id = ANY($1::bigint[]) AND d.kind = 'DISCLOSURE' AND d.purged_at IS NULL
         ), agg AS (
           SELECT recipient_id, enrolment_id, learner_id, course_id, array_agg(DISTINCT category ORDER BY category) AS categories,
                  jsonb_object_agg(category, granted) AS grants, max(disclosed_at) AS last_disclosed_at
             FROM rx GROUP BY recipient_id, enrolment_id, learner_id, course_id
         ), up AS (
           INSERT INTO recipient_access AS a (recipient_id, enrolment_id, learner_id, course_id, categories, grants, last_disclosed_at)
           SELECT * FROM agg
           ON CONFLICT (recipient_id, enrolment_id) DO UPDATE
              SET categories = ARRAY(SELECT DISTINCT u FROM unnest(a.categories || EXCLUDED.categories) u ORDER BY u),
                  grants = a.grants || EXCLUDED.grants,
                  last_disclosed_at = greatest(a.last_disclosed_at, EXCLUDED.last_disclosed_at)
            WHERE NOT (a.categories @> EXCLUDED.categories AND a.grants @> EXCLUDED.grants)
           RETURNING a.learner_id, a.recipient_id
         ), checks AS (
           INSERT INTO access_checks (learner_id, recipient_id) SELECT DISTINCT learner_id, recipient_id FROM up RETURNING 1
         )
         SELECT count(*)::int AS n FROM checks`,
        [batches.map((b) => b.id)],
      );
      total += n as number;
      after = batches.at(-1)!.seq;
      await qr.query(
        `INSERT INTO event_watermarks (name, seq) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET seq = EXCLUDED.seq`,
        [`ledger-chain-${chain}`, after],
      );
      batchesRead += batches.length;
      // One step per chain per call: the caller commits it and calls again while there is more.
      break;
    }
  }
  return { batches: batchesRead, checks: total };
}
