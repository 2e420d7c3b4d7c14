import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A recipient that must be told to delete what it received about a learner (GDPR Art. 17(2) and
 * 19), recorded when the obligation arises; delivering it is the events' job (docs/retention.md).
 */
@Entity('recipient_notices')
@Index('recipient_notices_unsent_idx', ['recipientId'], { where: '"sent_at" IS NULL' })
export class RecipientNoticeEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'recipient_id', type: 'uuid' })
  recipientId: string;

  /** The learner (pseudonymised by then) whose data it received. */
  @Column({ name: 'learner_id', type: 'uuid' })
  learnerId: string;

  @Column({ type: 'text' })
  reason: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt: Date | null;
}
