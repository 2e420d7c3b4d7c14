import type { EntityManager } from 'typeorm';

/**
 * The anonymised analysis (docs/analysis.md) counts per course and enrolment month. A cell is
 * always a whole month on the provider's calendar: a finer cut would let two queries be
 * subtracted from each other down to a single learner.
 */
export const monthOf = (instant: string) => `date_trunc('month', ${instant} AT TIME ZONE 'Europe/Amsterdam')::date`;

/** One assessment result as a percentage of its maximum (max_score > 0 by a check). */
export const SCORE_PERCENT = `(r.score * 100 / r.max_score)`;

/**
 * Adds the counts of enrolments that are about to be deleted to `analysis_retired`, so that the
 * analysis keeps counting erased and purged learners without keeping anything that identifies them.
 *
 * Contract for whoever deletes enrolments (erasure, retention purge, anything else):
 * - Call it in the same transaction as the delete, **before** it, with the ids of exactly the
 *   enrolments that the transaction deletes — also those that go by cascade (deleting a learner
 *   deletes their enrolments): pass their ids first. Their assessment results are counted with
 *   them, so delete results only together with their enrolment.
 * - Call it once per enrolment. A second call counts the enrolment twice; an id that no longer
 *   exists counts nothing, so a call after the delete loses the enrolment from the analysis.
 * - It locks the enrolments (FOR UPDATE) until the transaction ends, so no result can be recorded
 *   on one between the count and the delete. If the transaction rolls back, so do the counts.
 *
 * A learner is counted in `learners` when their last enrolment in a cell (course and month) is
 * retired, not before: until then the live rows count them. So the analysis counts each learner
 * of a cell once, whether they are erased, purged, partly purged or still there
 * (docs/analysis.md, "Erased and purged learners").
 *
 * Set-based: one statement, whatever the number of enrolments.
 */
export async function retireIntoAnalysis(em: EntityManager, enrolmentIds: string[]): Promise<void> {
  if (enrolmentIds.length === 0) return;
  await em.query(
    `WITH gone AS MATERIALIZED (
       SELECT e.id, e.learner_id, e.course_id, e.status, ${monthOf('e.enrolled_at')} AS month
         FROM enrolments e
        WHERE e.id = ANY($1::uuid[])
          FOR UPDATE
     ),
     scores AS (
       SELECT r.enrolment_id, count(*) AS n, sum(${SCORE_PERCENT}) AS s
         FROM assessment_results r
        WHERE r.enrolment_id IN (SELECT id FROM gone)
        GROUP BY r.enrolment_id
     ),
     per_learner AS (
       SELECT g.course_id, g.month, g.learner_id,
              count(*) AS enrolments,
              count(*) FILTER (WHERE g.status = 'COMPLETED') AS completions,
              bool_or(s.n IS NOT NULL) AS scored,
              coalesce(sum(s.s), 0) AS score_sum,
              coalesce(sum(s.n), 0) AS score_count,
              -- Still counted by a live enrolment in this cell: counted here when that one goes.
              NOT EXISTS (
                SELECT 1 FROM enrolments o
                 WHERE o.learner_id = g.learner_id AND o.course_id = g.course_id
                   AND o.id NOT IN (SELECT id FROM gone) AND ${monthOf('o.enrolled_at')} = g.month
              ) AS last
         FROM gone g
         LEFT JOIN scores s ON s.enrolment_id = g.id
        GROUP BY g.course_id, g.month, g.learner_id
     )
     INSERT INTO analysis_retired (course_id, month, enrolments, completions, learners, scored_learners, score_sum, score_count)
     SELECT course_id, month,
            sum(enrolments)::int, sum(completions)::int,
            (count(*) FILTER (WHERE last))::int, (count(*) FILTER (WHERE last AND scored))::int,
            sum(score_sum), sum(score_count)::int
       FROM per_learner
      GROUP BY course_id, month
      -- One order for every caller: two erasures upserting the same cells cannot deadlock.
      ORDER BY course_id, month
     ON CONFLICT (course_id, month) DO UPDATE SET
            enrolments = analysis_retired.enrolments + EXCLUDED.enrolments,
            completions = analysis_retired.completions + EXCLUDED.completions,
            learners = analysis_retired.learners + EXCLUDED.learners,
            scored_learners = analysis_retired.scored_learners + EXCLUDED.scored_learners,
            score_sum = analysis_retired.score_sum + EXCLUDED.score_sum,
            score_count = analysis_retired.score_count + EXCLUDED.score_count`,
    [enrolmentIds],
  );
}
