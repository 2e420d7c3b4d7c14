import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { LearnerEntity } from '../learners/learner.entity';
import { OrganisationEntity } from '../organisations/organisation.entity';

/**
 * An objection (GDPR Art. 21) is against the recipient's legitimate interest as such: while it is
 * not lifted, every legitimate-interest agreement of that recipient stops for this learner,
 * including later ones. It never affects the other three bases (GDPR Art. 21; docs/sharing-rules.md rule 8).
 */
@Entity('objections')
@Index('objections_learner_idx', ['learnerId', 'recipientId'])
export class ObjectionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'learner_id', type: 'uuid' })
  learnerId: string;

  @ManyToOne(() => LearnerEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'learner_id' })
  learner?: LearnerEntity;

  @Column({ name: 'recipient_id', type: 'uuid' })
  recipientId: string;

  @ManyToOne(() => OrganisationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'recipient_id' })
  recipient?: OrganisationEntity;

  /** The agreement the learner objected to (the objection itself covers the recipient). */
  @Column({ name: 'agreement_id', type: 'uuid' })
  agreementId: string;

  @Column({ type: 'text', nullable: true })
  grounds: string | null;

  @CreateDateColumn({ name: 'objected_at', type: 'timestamptz' })
  objectedAt: Date;

  @Column({ name: 'lifted_at', type: 'timestamptz', nullable: true })
  liftedAt: Date | null;
}
