import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One link of a hash chain: the Merkle root of one request's ledger entries, chained to the
 * previous link of the same chain. Several chains (picked per request) keep the chain from being
 * one global lock on the hot path; each is verifiable on its own (docs/ledger-and-notifications.md).
 */
@Entity('ledger_batches')
@Index('ledger_batches_chain_seq_uq', ['chain', 'seq'], { unique: true })
export class LedgerBatchEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  @Column({ type: 'smallint' })
  chain: number;

  @Column({ type: 'bigint' })
  seq: string;

  @Column({ name: 'entry_count', type: 'integer' })
  entryCount: number;

  @Column({ name: 'merkle_root', type: 'text' })
  merkleRoot: string;

  @Column({ name: 'prev_hash', type: 'text' })
  prevHash: string;

  /** sha256(prev_hash | chain | seq | merkle_root), hex. */
  @Column({ name: 'batch_hash', type: 'text' })
  batchHash: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
