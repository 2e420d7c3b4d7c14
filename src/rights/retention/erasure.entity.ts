import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { LearnerEntity } from '../../learners/learner.entity';

export interface Hold {
  recordKind: string;
  legalGround: string;
  /** ISO date (Europe/Amsterdam): the earliest day the records can go. */
  until: string;
  /** Set when the retention job erased them. */
  erasedAt?: string;
}

/**
 * An erasure carried out (GDPR Art. 17, docs/retention.md): what was held back under which rule
 * and until when, and whether the rest has gone. No identity data: the learner row it points to
 * holds a pseudonym by then.
 */
@Entity('erasures')
export class ErasureEntity {
  @PrimaryColumn({ name: 'learner_id', type: 'uuid' })
  learnerId: string;

  @OneToOne(() => LearnerEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'learner_id' })
  learner?: LearnerEntity;

  @Column({ name: 'request_id', type: 'uuid', nullable: true })
  requestId: string | null;

  @Column({ name: 'carried_out_at', type: 'timestamptz', default: () => 'now()' })
  carriedOutAt: Date;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  holds: Hold[];

  /** When nothing is held any more. */
  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  /** Why the learner was not told of the final erasure (no address is kept after erasure). */
  @Column({ name: 'not_told_reason', type: 'text', nullable: true })
  notToldReason: string | null;
}
