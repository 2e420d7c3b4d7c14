import type { Lean } from '../common/database/json-rows';
import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { LearnerEntity } from '../learners/learner.entity';
import { OrganisationEntity } from '../organisations/organisation.entity';
import { CourseEntity } from './course.entity';
import type { DisclosureCategory } from '../common/disclosure-category';
import { ENROLMENT_STATUSES, type EnrolmentStatus } from './enrolment-status';

@Entity('enrolments')
@Index('enrolments_learner_idx', ['learnerId', 'id'])
@Index('enrolments_course_idx', ['courseId'])
@Index('enrolments_sponsor_idx', ['sponsorEmployerId'])
// Incremental sync (updatedSince) walks this index.
@Index('enrolments_updated_idx', ['updatedAt', 'id'])
// A withdrawn enrolment may be followed by a new one.
// One live enrolment per learner, course and sponsor (private: no sponsor). An expression index
// (the migration CategoryChangeTimes… creates it), so TypeORM leaves it alone. Per sponsor, so that
// an employer enrolling its employee learns nothing of a course the person takes privately or for
// someone else (docs/sharing-rules.md rule 12).
@Index('enrolments_live_uq', { synchronize: false })
@Check('enrolments_progress_chk', '"progress_percent" BETWEEN 0 AND 100')
@Check('enrolments_time_chk', '"time_spent_minutes" >= 0')
export class EnrolmentEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'learner_id', type: 'uuid' })
  learnerId: string;

  @ManyToOne(() => LearnerEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'learner_id' })
  learner?: LearnerEntity;

  @Column({ name: 'course_id', type: 'uuid' })
  courseId: string;

  @ManyToOne(() => CourseEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'course_id' })
  course?: CourseEntity;

  /** The employer that commissioned / pays for this enrolment, if any. */
  @Column({ name: 'sponsor_employer_id', type: 'uuid', nullable: true })
  sponsorEmployerId: string | null;

  @ManyToOne(() => OrganisationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'sponsor_employer_id' })
  sponsorEmployer?: OrganisationEntity;

  /** The organisation that made the enrolment (provider, employer or broker). */
  @Column({ name: 'enrolled_by_id', type: 'uuid' })
  enrolledById: string;

  @ManyToOne(() => OrganisationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'enrolled_by_id' })
  enrolledBy?: OrganisationEntity;

  @Column({ type: 'enum', enum: ENROLMENT_STATUSES, enumName: 'enrolment_status', default: 'ENROLLED' })
  status: EnrolmentStatus;

  @Column({ name: 'enrolled_at', type: 'timestamptz' })
  enrolledAt: Date;

  /** Planned start date given when enrolling (calendar date, Europe/Amsterdam). */
  @Column({ name: 'starts_on', type: 'date', nullable: true })
  startsOn: string | null;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  @Column({ name: 'progress_percent', type: 'smallint', default: 0 })
  progressPercent: number;

  @Column({ name: 'time_spent_minutes', type: 'integer', default: 0 })
  timeSpentMinutes: number;

  @Column({ name: 'last_activity_at', type: 'timestamptz', nullable: true })
  lastActivityAt: Date | null;

  /** Per category, when its values last changed (ISO timestamps): see category-changes.ts. */
  @Column({ name: 'changed_at', type: 'jsonb', default: {} })
  changedAt: Partial<Record<DisclosureCategory, string>>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** An enrolment as a resolver may get it: loaded by TypeORM, or read as JSON with its instants as numbers (common/database/json-rows.ts). */
export type EnrolmentRecord = EnrolmentEntity | Lean<EnrolmentEntity>;
