import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const NOTIFICATION_KINDS = [
  'DISCLOSURE',
  'AGREEMENT_COVERS_YOU',
  'CONSENT_RECORDED',
  'CONSENT_WITHDRAWN',
  'OBJECTION_RECORDED',
  'OBJECTION_LIFTED',
  'RESTRICTION_RECORDED',
  'RESTRICTION_LIFTED',
  'ENROLLED',
  // The learner's requests (docs/learner-rights.md).
  'REQUEST_RECEIVED',
  'REQUEST_EXTENDED',
  'REQUEST_ANSWERED',
  'REQUEST_REJECTED',
  'EXPORT_READY',
  // A recipient was told to delete what it received (docs/events.md, "Access ended").
  'ACCESS_ENDED',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/**
 * What the learner is told: the in-app inbox row, and the email state. A DISCLOSURE row is written
 * in the same transaction as its ledger entry (transactional outbox: docs/ledger-and-notifications.md).
 */
@Entity('notifications')
@Index('notifications_learner_idx', ['learnerId', 'id'])
@Index('notifications_unsent_idx', ['learnerId'], { where: '"emailed_at" IS NULL' })
export class NotificationEntity {
  /** Time-ordered (UUIDv7): also the inbox order and the keyset cursor. */
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'learner_id', type: 'uuid' })
  learnerId: string;

  @Column({ type: 'enum', enum: NOTIFICATION_KINDS, enumName: 'notification_kind' })
  kind: NotificationKind;

  @Column({ name: 'disclosure_id', type: 'uuid', nullable: true, unique: true })
  disclosureId: string | null;

  /** Details for the non-disclosure kinds (recipient, agreement, basis …). */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  payload: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'read_at', type: 'timestamptz', nullable: true })
  readAt: Date | null;

  @Column({ name: 'emailed_at', type: 'timestamptz', nullable: true })
  emailedAt: Date | null;

  @Column({ name: 'email_message_id', type: 'text', nullable: true })
  emailMessageId: string | null;
}
