import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { LearnerEntity } from '../learners/learner.entity';
import { REQUEST_CHANNELS, REQUEST_KINDS, REQUEST_STATUSES, type RequestChannel, type RequestKind, type RequestStatus } from './request-kinds';

/**
 * One data-subject request in the register (docs/learner-rights.md): what was asked, how and when
 * it arrived, how the requester was identified, when it is due, and how it was answered. Requests
 * and their answers are kept as proof that each was answered in time.
 */
@Entity('data_subject_requests')
@Index('data_subject_requests_learner_idx', ['learnerId', 'id'])
@Index('data_subject_requests_open_idx', ['dueAt'], { where: `"status" IN ('RECEIVED', 'IN_PROGRESS')` })
@Check('data_subject_requests_extension_chk', '"extended_until" IS NULL OR ("extension_reason" IS NOT NULL AND "extended_until" > "original_due_at")')
@Check('data_subject_requests_final_chk', `("status" IN ('ANSWERED', 'REJECTED')) = ("answered_at" IS NOT NULL)`)
export class DataSubjectRequestEntity {
  /** UUIDv7: time-ordered, also the keyset cursor of a learner's list. */
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'learner_id', type: 'uuid' })
  learnerId: string;

  @ManyToOne(() => LearnerEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'learner_id' })
  learner?: LearnerEntity;

  @Column({ type: 'enum', enum: REQUEST_KINDS, enumName: 'request_kind' })
  kind: RequestKind;

  @Column({ type: 'enum', enum: REQUEST_CHANNELS, enumName: 'request_channel' })
  channel: RequestChannel;

  /** The learner's own words, or staff's summary of the letter or call. */
  @Column({ type: 'text', nullable: true })
  details: string | null;

  /** How identity was verified: a learner token, or the method staff record. */
  @Column({ name: 'identity_verification', type: 'text' })
  identityVerification: string;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt: Date;

  /** The subject that put it in the register: the learner, or the staff member. */
  @Column({ name: 'recorded_by', type: 'text' })
  recordedBy: string;

  /** Received + 28 days (src/requests/due-dates.ts). */
  @Column({ name: 'original_due_at', type: 'timestamptz' })
  originalDueAt: Date;

  /** The deadline in force: the original one, or the extension. */
  @Column({ name: 'due_at', type: 'timestamptz' })
  dueAt: Date;

  @Column({ name: 'extended_until', type: 'timestamptz', nullable: true })
  extendedUntil: Date | null;

  @Column({ name: 'extension_reason', type: 'text', nullable: true })
  extensionReason: string | null;

  @Column({ type: 'enum', enum: REQUEST_STATUSES, enumName: 'request_status', default: 'RECEIVED' })
  status: RequestStatus;

  @Column({ name: 'answered_at', type: 'timestamptz', nullable: true })
  answeredAt: Date | null;

  @Column({ name: 'answered_by', type: 'text', nullable: true })
  answeredBy: string | null;

  /** The answer, or the reason for a rejection. */
  @Column({ type: 'text', nullable: true })
  answer: string | null;

  /** Reminders to the privacy mailbox: each is sent once (src/rights/request-reminders.ts). */
  @Column({ name: 'reminded_week_at', type: 'timestamptz', nullable: true })
  remindedWeekAt: Date | null;

  @Column({ name: 'reminded_day_at', type: 'timestamptz', nullable: true })
  remindedDayAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
