import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { numericTransformer } from '../../common/numeric.transformer';
import { CourseEntity } from '../../enrolments/course.entity';

/**
 * What the anonymised analysis still needs of enrolments that were deleted (erasure, retention
 * purge): counts per course and enrolment month, and nothing that identifies anyone — no learner
 * or enrolment id, no dates finer than the month. Written only by `retireIntoAnalysis`
 * (analysis-store.ts), read by the staff query `courseAnalysis` (docs/analysis.md).
 */
@Entity('analysis_retired')
@Check(
  'analysis_retired_counts_chk',
  '"enrolments" >= 0 AND "completions" BETWEEN 0 AND "enrolments" AND "learners" BETWEEN 0 AND "enrolments" AND "scored_learners" BETWEEN 0 AND "learners" AND "score_count" >= 0 AND "score_sum" >= 0',
)
export class AnalysisRetiredEntity {
  @PrimaryColumn({ name: 'course_id', type: 'uuid' })
  courseId: string;

  // RESTRICT like enrolments: a course with history in the analysis is not deleted by accident.
  @ManyToOne(() => CourseEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'course_id' })
  course?: CourseEntity;

  /** The first day of the enrolment month, on the Europe/Amsterdam calendar (YYYY-MM-DD). */
  @PrimaryColumn({ type: 'date' })
  month: string;

  @Column({ type: 'integer' })
  enrolments: number;

  /** Of these enrolments, how many were COMPLETED when they were deleted. */
  @Column({ type: 'integer' })
  completions: number;

  /** Learners counted here and nowhere else: see retireIntoAnalysis for when one is. */
  @Column({ type: 'integer' })
  learners: number;

  /** Of those learners, how many had at least one assessment result. */
  @Column({ name: 'scored_learners', type: 'integer' })
  scoredLearners: number;

  /** The sum of every result's score as a percentage of its maximum. */
  @Column({ name: 'score_sum', type: 'numeric', transformer: numericTransformer })
  scoreSum: number;

  @Column({ name: 'score_count', type: 'integer' })
  scoreCount: number;
}
