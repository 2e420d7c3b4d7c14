import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * DISCLOSURE: what a request disclosed. ACCESS_ENDED: that the recipient was told to delete what
 * it had received of the listed enrolments and categories (docs/events.md, "Access ended").
 */
export const LEDGER_ENTRY_KINDS = ['DISCLOSURE', 'ACCESS_ENDED'] as const;
export type LedgerEntryKind = (typeof LEDGER_ENTRY_KINDS)[number];

/**
 * One ledger entry: what one request disclosed about one learner (docs/ledger-and-notifications.md). Append-only for the
 * application. `content` is the exact JSON of what was disclosed (the items are read from it);
 * `entry_hash` covers it and the entry's facts — id, kind, time, request, recipient, actor,
 * client, learner — read from the columns (ledger-hash.ts). Entries of the earlier form hold their
 * facts in `content` too and hash it alone; the verifier checks the columns against them.
 */
@Entity('disclosures')
@Index('disclosures_learner_idx', ['learnerId', 'id'])
@Index('disclosures_recipient_idx', ['recipientId', 'id'])
@Index('disclosures_batch_idx', ['batchId', 'position'])
export class DisclosureEntity {
  /** Time-ordered (UUIDv7), so id order is disclosure order. */
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'batch_id', type: 'bigint' })
  batchId: string;

  @Column({ type: 'integer' })
  position: number;

  @Column({ name: 'disclosed_at', type: 'timestamptz' })
  disclosedAt: Date;

  @Column({ name: 'request_id', type: 'text' })
  requestId: string;

  @Column({ name: 'operation_name', type: 'text', nullable: true })
  operationName: string | null;

  @Column({ name: 'recipient_id', type: 'uuid' })
  recipientId: string;

  @Column({ name: 'actor_subject', type: 'text' })
  actorSubject: string;

  @Column({ name: 'api_client_id', type: 'text', nullable: true })
  apiClientId: string | null;

  @Column({ name: 'learner_id', type: 'uuid' })
  learnerId: string;

  @Column({ type: 'enum', enum: LEDGER_ENTRY_KINDS, enumName: 'ledger_entry_kind', default: 'DISCLOSURE' })
  kind: LedgerEntryKind;

  @Column({ type: 'text' })
  content: string;

  /** Set by `ledger_purge` when retention removed the content; the hash stays, so the chain verifies. */
  @Column({ name: 'purged_at', type: 'timestamptz', nullable: true })
  purgedAt: Date | null;

  @Column({ name: 'entry_hash', type: 'text' })
  entryHash: string;
}
