import { hash } from 'node:crypto';
import { sha256Hex } from '../common/hashing';
import type { LedgerEntryKind } from './disclosure.entity';

/**
 * The hashing of the ledger, in one place for the writer and the verifier (docs/ledger-and-notifications.md).
 * - entry hash: sha256 of the entry's facts (from its columns, see entryHash) and its `content`;
 * - batch Merkle root: pairwise sha256 over the entry hashes in position order (an odd one out is
 *   paired with itself);
 * - batch hash: sha256(prev_hash | chain | seq | merkle_root) — computed by ledger_append() in SQL
 *   when writing, recomputed here when verifying.
 */
export const GENESIS_HASH = '0'.repeat(64);

/** The request's facts, the same for every entry of a batch (columns of each entry's row). */
export interface LedgerRequestFacts {
  /** ISO 8601 with milliseconds, as Date#toISOString writes it. */
  disclosedAt: string;
  requestId: string;
  operationName: string | null;
  recipientId: string;
  actorSubject: string;
  apiClientId: string | null;
}

/** Who disclosed what to whom, when: the columns of an entry that its hash covers. */
export interface EntryFacts extends LedgerRequestFacts {
  id: string;
  kind: LedgerEntryKind;
  learnerId: string;
}

/** Names the hashed form below; a later form would get a new tag, and old entries keep theirs. */
export const ENTRY_FORM = 'entry/2';

/**
 * sha256 over one line of the entry's facts — a JSON array in a fixed order, so there is one way
 * to write it — a newline, and the content (what was disclosed: `{"items":[…]}`). The facts are
 * columns of the row already; writing them again into every entry's content made a 500-learner
 * page's ledger write ~150 kB larger (docs/benchmarks.md). Hashing them from the columns keeps
 * every one of them tamper-evident: a changed column no longer matches the hash.
 */
export function entryHash(facts: EntryFacts, content: string): string {
  const line = JSON.stringify([
    ENTRY_FORM,
    facts.id,
    facts.kind,
    facts.disclosedAt,
    facts.requestId,
    facts.operationName,
    facts.recipientId,
    facts.actorSubject,
    facts.apiClientId,
    facts.learnerId,
  ]);
  // One-shot hash (no Hash object per entry; Node 20.12+).
  return hash('sha256', `${line}\n${content}`, 'hex');
}

/** entryHash for the entries of one batch: its id, learner and content; the rest is the batch's. */
export type EntryHasher = (id: string, learnerId: string, content: string) => string;

/**
 * entryHash with the facts every entry of a batch shares written once: the line is the same JSON
 * array, its shared middle made once per batch instead of once per entry (a page has ~450
 * entries). ledger-hash.spec.ts holds it equal to entryHash.
 */
export function entryHasher(request: LedgerRequestFacts, kind: LedgerEntryKind): EntryHasher {
  const middle = `,${JSON.stringify([kind, request.disclosedAt, request.requestId, request.operationName, request.recipientId, request.actorSubject, request.apiClientId]).slice(1, -1)},`;
  const form = `[${JSON.stringify(ENTRY_FORM)},`;
  return (id, learnerId, content) => hash('sha256', `${form}${JSON.stringify(id)}${middle}${JSON.stringify(learnerId)}]\n${content}`, 'hex');
}

export function merkleRoot(leaves: string[]): string {
  if (leaves.length === 0) return sha256Hex('');
  let level = leaves;
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(sha256Hex(level[i] + (level[i + 1] ?? level[i])));
    level = next;
  }
  return level[0];
}

export function batchHash(prevHash: string, chain: number, seq: string | number, root: string): string {
  return sha256Hex(`${prevHash}|${chain}|${seq}|${root}`);
}
