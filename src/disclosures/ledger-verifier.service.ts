import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isDeepStrictEqual } from 'node:util';
import { DataSource } from 'typeorm';
import { sha256Hex } from '../common/hashing';
import { LedgerCheckpoints } from './ledger-checkpoint.service';
import type { LedgerEntryKind } from './disclosure.entity';
import { batchHash, entryHash, GENESIS_HASH, merkleRoot } from './ledger-hash';

export interface LedgerVerification {
  ok: boolean;
  batchesChecked: number;
  entriesChecked: number;
  /** Entries whose content retention removed: their kept hashes still take part in every check. */
  entriesPurged: number;
  /** The latest signed checkpoint the chains were compared with (null: none taken yet). */
  checkpoint: { id: string; createdAt: Date } | null;
  /** The first broken link, in chain and sequence order. */
  firstBroken: { chain: number; seq: string; batchId: string | null; disclosureId: string | null; problem: string } | null;
}

interface BatchRow {
  id: string;
  chain: number;
  seq: string;
  entry_count: number;
  merkle_root: string;
  prev_hash: string;
  batch_hash: string;
}

interface EntryRow {
  id: string;
  batch_id: string;
  position: number;
  disclosed_at: Date;
  request_id: string;
  operation_name: string | null;
  recipient_id: string;
  actor_subject: string;
  api_client_id: string | null;
  learner_id: string;
  content: string;
  kind: string;
  entry_hash: string;
  purged_at: Date | null;
}

const PAGE = 500;

/**
 * Re-computes every hash of the ledger and reports the first broken link (docs/ledger-and-notifications.md): an entry
 * whose content, columns or hash disagree, a batch whose Merkle root or chain hash does not match,
 * a missing or extra entry, a gap in a chain — and then compares the chains with the latest signed
 * checkpoint, so a cut tail is reported too.
 */
@Injectable()
export class LedgerVerifierService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async verify(): Promise<LedgerVerification> {
    // An entry may only be purged past the proof period; one purged earlier is a broken link.
    const [{ purgeable_before: purgeableBefore }] = await this.dataSource.query<{ purgeable_before: Date }[]>(
      `SELECT now() - proof_period AS purgeable_before FROM ledger_policy`,
    );
    const chains = await this.dataSource.query<{ chain: number }[]>(`SELECT DISTINCT chain FROM ledger_batches ORDER BY chain`);
    let batchesChecked = 0;
    let entriesChecked = 0;
    let entriesPurged = 0;
    for (const { chain } of chains) {
      let prev = GENESIS_HASH;
      let expectedSeq = 1n;
      let afterSeq = '0';
      for (;;) {
        const batches = await this.dataSource.query<BatchRow[]>(
          `SELECT id, chain, seq, entry_count, merkle_root, prev_hash, batch_hash FROM ledger_batches
            WHERE chain = $1 AND seq > $2 ORDER BY seq LIMIT ${PAGE}`,
          [chain, afterSeq],
        );
        if (batches.length === 0) break;
        const entries = await this.dataSource.query<EntryRow[]>(
          `SELECT * FROM disclosures WHERE batch_id = ANY($1::bigint[]) ORDER BY batch_id, position`,
          [batches.map((b) => b.id)],
        );
        const byBatch = new Map<string, EntryRow[]>();
        for (const e of entries) byBatch.set(e.batch_id, [...(byBatch.get(e.batch_id) ?? []), e]);
        for (const b of batches) {
          const broken = (problem: string, disclosureId: string | null = null): LedgerVerification => ({
            ok: false,
            batchesChecked,
            entriesChecked,
            entriesPurged,
            checkpoint: null,
            firstBroken: { chain, seq: b.seq, batchId: b.id, disclosureId, problem },
          });
          if (BigInt(b.seq) !== expectedSeq) return broken(`sequence gap: expected ${expectedSeq}`);
          if (b.prev_hash !== prev) return broken('prev_hash does not match the previous link');
          const list = byBatch.get(b.id) ?? [];
          if (list.length !== b.entry_count) return broken(`expected ${b.entry_count} entries, found ${list.length}`);
          for (const e of list) {
            // A purged entry has no content left to check: its kept hash is still a Merkle leaf.
            if (e.purged_at) {
              if (e.content !== '') return broken('a purged entry still has content', e.id);
              if (e.disclosed_at >= purgeableBefore) return broken('entry purged before its proof period ended', e.id);
              entriesPurged++;
            } else {
              const problem = this.checkEntry(e);
              if (problem) return broken(problem, e.id);
            }
            entriesChecked++;
          }
          if (merkleRoot(list.map((e) => e.entry_hash)) !== b.merkle_root) return broken('Merkle root does not match the entries');
          if (batchHash(b.prev_hash, chain, b.seq, b.merkle_root) !== b.batch_hash) return broken('batch hash does not match');
          prev = b.batch_hash;
          expectedSeq++;
          batchesChecked++;
        }
        afterSeq = batches.at(-1)!.seq;
      }
    }
    // Every link holds; has a chain lost its tail since the latest checkpoint?
    const { checkpoint, problem } = await new LedgerCheckpoints(this.dataSource).check();
    const seen = checkpoint && { id: checkpoint.id, createdAt: checkpoint.createdAt };
    if (problem) return { ok: false, batchesChecked, entriesChecked, entriesPurged, checkpoint: seen, firstBroken: { ...problem, batchId: null, disclosureId: null } };
    return { ok: true, batchesChecked, entriesChecked, entriesPurged, checkpoint: seen, firstBroken: null };
  }

  /**
   * The entry's facts (its columns) and content must hash to entry_hash. Entries written before
   * migration LedgerAppendWithEmailJob carry their facts inside the content and hash the content
   * alone: there the columns must say what the content says.
   */
  private checkEntry(e: EntryRow): string | null {
    let c: unknown;
    try {
      c = JSON.parse(e.content);
    } catch {
      return 'entry content is not JSON';
    }
    const columns = {
      id: e.id,
      disclosedAt: e.disclosed_at.toISOString(),
      requestId: e.request_id,
      operationName: e.operation_name,
      recipientId: e.recipient_id,
      actorSubject: e.actor_subject,
      apiClientId: e.api_client_id,
      learnerId: e.learner_id,
    };
    if (typeof c !== 'object' || c === null || !('id' in c)) {
      return entryHash({ ...columns, kind: e.kind as LedgerEntryKind }, e.content) === e.entry_hash ? null : 'entry columns or content do not match its hash';
    }
    if (sha256Hex(e.content) !== e.entry_hash) return 'entry content does not match its hash';
    // Entries from before there were kinds say none: they are disclosures.
    const legacy = c as Record<string, unknown>;
    if ((legacy.kind ?? 'DISCLOSURE') !== e.kind) return 'column kind differs from the hashed content';
    for (const [k, v] of Object.entries(columns)) if (!isDeepStrictEqual(legacy[k], v)) return `column ${k} differs from the hashed content`;
    return null;
  }
}
