import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { amsterdamDate } from '../../common/calendar-date';
import { DomainError } from '../../common/errors/domain-error';
import { monthOf, SCORE_PERCENT } from './analysis-store';
import type { CourseAnalysisArgs, CourseAnalysisCellModel } from './analysis.model';

/**
 * A cell with fewer learners than this shows no counts, and an average of fewer learners' results
 * is not shown: below it, a count or an average can point to a person (docs/analysis.md).
 */
export const MIN_CELL_LEARNERS = 5;

/** Bounds the answer: courses × months. */
export const MAX_ANALYSIS_MONTHS = 60;

/** A cell as the database adds it up: live rows plus retired counts. */
export interface CellCounts {
  courseId: string;
  courseCode: string;
  courseTitle: string;
  month: string;
  enrolments: number;
  completions: number;
  learners: number;
  scoredLearners: number;
  scoreSum: number;
  scoreCount: number;
}

/** The one place a cell becomes what staff see: small cells and small averages are withheld here. */
export function presentCell(c: CellCounts): CourseAnalysisCellModel {
  const course = { courseId: c.courseId, courseCode: c.courseCode, courseTitle: c.courseTitle, month: c.month };
  if (c.learners < MIN_CELL_LEARNERS) {
    return { ...course, suppressed: true, learners: null, enrolments: null, completions: null, averageScorePercent: null };
  }
  const average = c.scoredLearners >= MIN_CELL_LEARNERS && c.scoreCount > 0 ? Math.round((c.scoreSum / c.scoreCount) * 10) / 10 : null;
  return { ...course, suppressed: false, learners: c.learners, enrolments: c.enrolments, completions: c.completions, averageScorePercent: average };
}

@Injectable()
export class AnalysisService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Live enrolments (and their results) counted per cell, plus what `retireIntoAnalysis` kept of
   * deleted ones. Selects no learner or enrolment id out of the database: only counts leave it.
   */
  async courseAnalysis(args: CourseAnalysisArgs): Promise<CourseAnalysisCellModel[]> {
    if (args.until.getTime() <= args.from.getTime()) throw DomainError.badInput('until', 'must be later than from');
    const [fy, fm] = amsterdamDate(args.from).split('-').map(Number);
    const [uy, um] = amsterdamDate(new Date(args.until.getTime() - 1)).split('-').map(Number);
    if (uy * 12 + um - (fy * 12 + fm) + 1 > MAX_ANALYSIS_MONTHS) throw DomainError.badInput('until', `must be at most ${MAX_ANALYSIS_MONTHS} months after from`);
    const rows = await this.dataSource.query<Record<string, string | number>[]>(
      `WITH bounds AS (
         SELECT date_trunc('month', $1::timestamptz AT TIME ZONE 'Europe/Amsterdam') AS lo,
                date_trunc('month', ($2::timestamptz - interval '1 microsecond') AT TIME ZONE 'Europe/Amsterdam') + interval '1 month' AS hi
       ),
       live AS (
         SELECT e.course_id, ${monthOf('e.enrolled_at')} AS month,
                count(*) AS enrolments,
                count(*) FILTER (WHERE e.status = 'COMPLETED') AS completions,
                count(DISTINCT e.learner_id) AS learners,
                count(DISTINCT e.learner_id) FILTER (WHERE s.n IS NOT NULL) AS scored_learners,
                coalesce(sum(s.s), 0) AS score_sum,
                coalesce(sum(s.n), 0) AS score_count
           FROM bounds b
           JOIN enrolments e
             ON e.enrolled_at >= b.lo AT TIME ZONE 'Europe/Amsterdam' AND e.enrolled_at < b.hi AT TIME ZONE 'Europe/Amsterdam'
           LEFT JOIN LATERAL (
             SELECT count(*) AS n, sum(${SCORE_PERCENT}) AS s
               FROM assessment_results r
              WHERE r.enrolment_id = e.id
             HAVING count(*) > 0
           ) s ON true
          WHERE ($3::uuid IS NULL OR e.course_id = $3::uuid)
          GROUP BY 1, 2
       ),
       retired AS (
         SELECT a.course_id, a.month, a.enrolments, a.completions, a.learners, a.scored_learners, a.score_sum, a.score_count
           FROM analysis_retired a, bounds b
          WHERE a.month >= b.lo::date AND a.month < b.hi::date AND ($3::uuid IS NULL OR a.course_id = $3::uuid)
       ),
       cells AS (
         SELECT course_id, month,
                sum(enrolments)::int AS enrolments, sum(completions)::int AS completions,
                sum(learners)::int AS learners, sum(scored_learners)::int AS scored_learners,
                sum(score_sum) AS score_sum, sum(score_count)::int AS score_count
           FROM (SELECT * FROM live UNION ALL SELECT * FROM retired) x
          GROUP BY course_id, month
       )
       SELECT c.id AS "courseId", c.code AS "courseCode", c.title AS "courseTitle", to_char(x.month, 'YYYY-MM') AS month,
              x.enrolments, x.completions, x.learners, x.scored_learners AS "scoredLearners",
              x.score_sum::float8 AS "scoreSum", x.score_count AS "scoreCount"
         FROM cells x
         JOIN courses c ON c.id = x.course_id
        ORDER BY x.month, c.title, c.id`,
      [args.from, args.until, args.courseId ?? null],
    );
    return rows.map((r) => presentCell(r as unknown as CellCounts));
  }
}
