import { sha256Hex } from '../common/hashing';
import { batchHash, merkleRoot } from './ledger-hash';

describe('ledger hashing', () => {
  it('a Merkle root changes when any leaf, or their order, changes', () => {
    const leaves = ['a', 'b', 'c'].map(sha256Hex);
    const root = merkleRoot(leaves);
    expect(merkleRoot([...leaves])).toBe(root);
    expect(merkleRoot([leaves[0], leaves[2], leaves[1]])).not.toBe(root);
    expect(merkleRoot([leaves[0], leaves[1], sha256Hex('x')])).not.toBe(root);
    expect(merkleRoot([leaves[0]])).toBe(leaves[0]);
  });

  it('a batch hash covers its predecessor', () => {
    const root = merkleRoot([sha256Hex('a')]);
    expect(batchHash('0'.repeat(64), 1, 1, root)).not.toBe(batchHash('1'.repeat(64), 1, 1, root));
    expect(batchHash('0'.repeat(64), 1, 1, root)).toBe(sha256Hex(`${'0'.repeat(64)}|1|1|${root}`));
  });
});
