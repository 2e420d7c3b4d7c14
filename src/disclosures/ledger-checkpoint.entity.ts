import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One chain's head as a checkpoint saw it. */
export interface ChainHead {
  chain: number;
  /** The newest batch's sequence number (text: bigint). */
  seq: string;
  batchHash: string;
  /** Entries in the chain up to and including that batch. */
  entries: number;
}

/**
 * A signed snapshot of every chain's head (ledger-checkpoint.service.ts). `signature` is a compact
 * JWS (ES256, the API's signing key `kid`) over `{ at, heads }`.
 */
@Entity('ledger_checkpoints')
export class LedgerCheckpointEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'jsonb' })
  heads: ChainHead[];

  @Column({ type: 'text' })
  kid: string;

  @Column({ type: 'text' })
  signature: string;
}
