import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * "Look again at what this recipient / this learner's recipients received": written by triggers
 * on every table whose change can end access (migration EventsAndWebhooks), by the time sweep,
 * and when a recipient receives something new; taken by access-ended.worker.ts. Null means any.
 */
@Entity('access_checks')
export class AccessCheckEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  @Column({ name: 'learner_id', type: 'uuid', nullable: true })
  learnerId: string | null;

  @Column({ name: 'recipient_id', type: 'uuid', nullable: true })
  recipientId: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
