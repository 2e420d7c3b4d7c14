import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A change to an enrolment's categories, written by triggers on `enrolments` (migration
 * EventsAndWebhooks) whatever wrote it, and taken by the emitter (event-emitter.ts). An outbox:
 * the change and its row commit together.
 */
@Entity('enrolment_changes')
export class EnrolmentChangeEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  @Column({ name: 'enrolment_id', type: 'uuid' })
  enrolmentId: string;

  @Column({ name: 'learner_id', type: 'uuid' })
  learnerId: string;

  /** The enrolment was made (else: changed). */
  @Column({ type: 'boolean' })
  created: boolean;

  @Column({ type: 'text', array: true })
  categories: string[];

  @Column({ name: 'changed_at', type: 'timestamptz', default: () => 'now()' })
  changedAt: Date;
}
