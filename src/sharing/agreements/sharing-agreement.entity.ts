import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { DISCLOSURE_CATEGORIES, type DisclosureCategory } from '../../common/disclosure-category';
import { LearnerEntity } from '../../learners/learner.entity';
import { OrganisationEntity } from '../../organisations/organisation.entity';
import { SHARING_BASES, type SharingBasis } from '../../common/sharing-basis';

/**
 * One version of a sharing agreement. Versions are immutable except for `supersededAt` (set when
 * the next version is created) and `revokedAt`: a disclosure always points at the exact version
 * that allowed it, so old versions stay readable (docs/sharing-rules.md rule 13).
 */
@Entity('sharing_agreements')
@Index('sharing_agreements_version_uq', ['agreementId', 'version'], { unique: true })
@Index('sharing_agreements_recipient_idx', ['recipientId', 'learnerId'], { where: '"superseded_at" IS NULL' })
@Index('sharing_agreements_learner_idx', ['learnerId'], { where: '"superseded_at" IS NULL AND "learner_id" IS NOT NULL' })
@Check('sharing_agreements_validity_chk', '"valid_until" IS NULL OR "valid_until" > "valid_from"')
@Check('sharing_agreements_categories_chk', 'cardinality("categories") > 0')
export class SharingAgreementEntity {
  /** Id of this version. */
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Stable id shared by all versions of one agreement. */
  @Column({ name: 'agreement_id', type: 'uuid' })
  agreementId: string;

  @Column({ type: 'integer' })
  version: number;

  @Column({ name: 'recipient_id', type: 'uuid' })
  recipientId: string;

  @ManyToOne(() => OrganisationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'recipient_id' })
  recipient?: OrganisationEntity;

  @Column({ type: 'enum', enum: SHARING_BASES, enumName: 'sharing_basis' })
  basis: SharingBasis;

  @Column({ type: 'enum', enum: DISCLOSURE_CATEGORIES, enumName: 'disclosure_category', array: true })
  categories: DisclosureCategory[];

  /** One learner, or null: every employee of the recipient (PROCESSOR, LEGITIMATE_INTEREST). */
  @Column({ name: 'learner_id', type: 'uuid', nullable: true })
  learnerId: string | null;

  @ManyToOne(() => LearnerEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'learner_id' })
  learner?: LearnerEntity;

  /** Listed courses, or null: every course. */
  @Column({ name: 'course_ids', type: 'uuid', array: true, nullable: true })
  courseIds: string[] | null;

  @Column({ name: 'valid_from', type: 'timestamptz' })
  validFrom: Date;

  @Column({ name: 'valid_until', type: 'timestamptz', nullable: true })
  validUntil: Date | null;

  /** Processing agreement, balancing test or contract reference; consent text version for CONSENT. */
  @Column({ type: 'text' })
  reference: string;

  /** Subject of the actor who created this version (staff id, client id or learner id). */
  @Column({ name: 'created_by', type: 'text' })
  createdBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** For CONSENT: the withdrawal. Effective for every request that starts after it commits. */
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ name: 'superseded_at', type: 'timestamptz', nullable: true })
  supersededAt: Date | null;
}
