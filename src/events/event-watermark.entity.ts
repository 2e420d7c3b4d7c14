import { Column, Entity, PrimaryColumn } from 'typeorm';

/** How far a background step has come: the ledger tracker per chain, the time sweep. */
@Entity('event_watermarks')
export class EventWatermarkEntity {
  @PrimaryColumn({ type: 'text' })
  name: string;

  @Column({ type: 'bigint', nullable: true })
  seq: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  at: Date | null;
}
