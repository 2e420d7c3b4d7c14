import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { LOCALES, type Locale } from '../common/locale';

export const NOTIFICATION_FREQUENCIES = ['IMMEDIATE', 'DAILY', 'WEEKLY'] as const;
export type NotificationFrequency = (typeof NOTIFICATION_FREQUENCIES)[number];

@Entity('learners')
export class LearnerEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  name: string;

  /** Stored lower-cased: brokers and HR send whatever case was typed; one person, one learner. */
  @Column({ type: 'text', unique: true })
  email: string;

  @Column({ type: 'enum', enum: LOCALES, enumName: 'locale', default: 'nl' })
  locale: Locale;

  /** Subject id of the learner at the learning platform's identity provider (`sub` of its tokens). */
  @Column({ name: 'external_subject_id', type: 'text', nullable: true, unique: true })
  externalSubjectId: string | null;

  /** IMMEDIATE (coalesced within a short window), or a DAILY / WEEKLY digest email. */
  @Column({ name: 'notification_frequency', type: 'enum', enum: NOTIFICATION_FREQUENCIES, enumName: 'notification_frequency', default: 'IMMEDIATE' })
  notificationFrequency: NotificationFrequency;

  /** After erasure no gated field of this learner is ever disclosed again (docs/sharing-rules.md rule 7). */
  @Column({ name: 'erased_at', type: 'timestamptz', nullable: true })
  erasedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
