import { Column, Entity, PrimaryColumn } from 'typeorm';

/** What one run of the retention job did, per kind of record (docs/retention.md). */
@Entity('retention_runs')
export class RetentionRunEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  counts: Record<string, number>;
}
