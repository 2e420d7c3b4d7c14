import { sha256Hex } from '../common/hashing';

/**
 * The hashing of the ledger, in one place for the writer and the verifier (docs/ledger-and-notifications.md).
 * - entry hash: sha256 of the entry's canonical JSON (`content`);
 * - batch Merkle root: pairwise sha256 over the entry hashes in position order (an odd one out is
 *   paired with itself);
 * - batch hash: sha256(prev_hash | chain | seq | merkle_root) — computed by ledger_append() in SQL
 *   when writing, recomputed here when verifying.
 */
export const GENESIS_HASH = '0'.repeat(64);

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
