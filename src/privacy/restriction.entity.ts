import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { LearnerEntity } from '../learners/learner.entity';

/**
 * Restriction of processing (GDPR Art. 18): while active, nothing of the learner's is disclosed
 * under any basis. A lifted restriction stops at the lift.
 */
@Entity('restrictions')
@Index('restrictions_learner_idx', ['learnerId'])
export class RestrictionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'learner_id', type: 'uuid' })
  learnerId: string;

  @ManyToOne(() => LearnerEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'learner_id' })
  learner?: LearnerEntity;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @CreateDateColumn({ name: 'requested_at', type: 'timestamptz' })
  requestedAt: Date;

  @Column({ name: 'lifted_at', type: 'timestamptz', nullable: true })
  liftedAt: Date | null;
}
