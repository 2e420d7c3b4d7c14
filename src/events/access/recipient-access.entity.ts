import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { DisclosureCategory } from '../../common/disclosure-category';
import type { DisclosureGrant } from '../../disclosures/disclosure-item';

/**
 * What a recipient has received of an enrolment and not yet been told to delete, derived from
 * the ledger (received-tracker.ts). When a category stops being shared with it, it leaves
 * `categories` and the recipient is told (access-ended.service.ts).
 */
@Entity('recipient_access')
@Index('recipient_access_learner_idx', ['learnerId'])
export class RecipientAccessEntity {
  @PrimaryColumn({ name: 'recipient_id', type: 'uuid' })
  recipientId: string;

  @PrimaryColumn({ name: 'enrolment_id', type: 'uuid' })
  enrolmentId: string;

  @Column({ name: 'learner_id', type: 'uuid' })
  learnerId: string;

  @Column({ name: 'course_id', type: 'uuid' })
  courseId: string;

  @Column({ type: 'text', array: true })
  categories: DisclosureCategory[];

  /** Per category, the agreement version it was last received under (as the ledger names it). */
  @Column({ type: 'jsonb' })
  grants: Partial<Record<DisclosureCategory, DisclosureGrant>>;

  @Column({ name: 'last_disclosed_at', type: 'timestamptz' })
  lastDisclosedAt: Date;
}
