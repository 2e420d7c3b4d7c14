import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { LearnerEntity } from './learner.entity';

export const CHANGED_RECORDS = ['LEARNER', 'EMPLOYMENT'] as const;
export type ChangedRecord = (typeof CHANGED_RECORDS)[number];

/**
 * A correction of a learner's data (GDPR Art. 16): who changed which field of which record, and
 * when. Not the old or new value: the current value is in the record itself, and keeping the
 * wrong one would keep what the person asked to have corrected (docs/learner-rights.md,
 * "Rectification").
 */
@Entity('learner_changes')
@Index('learner_changes_learner_idx', ['learnerId', 'id'])
export class LearnerChangeEntity {
  /** UUIDv7: time-ordered. */
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'learner_id', type: 'uuid' })
  learnerId: string;

  @ManyToOne(() => LearnerEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'learner_id' })
  learner?: LearnerEntity;

  @Column({ type: 'enum', enum: CHANGED_RECORDS, enumName: 'changed_record' })
  record: ChangedRecord;

  @Column({ name: 'record_id', type: 'uuid' })
  recordId: string;

  @Column({ type: 'text' })
  field: string;

  /** `learner:<id>`, a staff subject, or an API client's subject. */
  @Column({ name: 'changed_by', type: 'text' })
  changedBy: string;

  @Column({ name: 'changed_at', type: 'timestamptz', default: () => 'now()' })
  changedAt: Date;
}
