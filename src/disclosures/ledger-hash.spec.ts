import fc from 'fast-check';
import { sha256Hex } from '../common/hashing';
import { batchHash, entryHash, entryHasher, merkleRoot } from './ledger-hash';

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

  it('a batch’s hasher hashes each entry exactly as entryHash does', () => {
    // Any text, including what JSON escapes (quotes, backslashes, control characters, lone surrogates).
    const text = fc.string({ unit: 'binary', maxLength: 12 });
    const nullable = fc.option(text, { nil: null });
    fc.assert(
      fc.property(
        fc.record({ disclosedAt: text, requestId: text, operationName: nullable, recipientId: text, actorSubject: text, apiClientId: nullable }),
        fc.constantFrom('DISCLOSURE' as const, 'ACCESS_ENDED' as const),
        fc.array(fc.record({ id: text, learnerId: text, content: text }), { minLength: 1, maxLength: 4 }),
        (request, kind, entries) => {
          const hasher = entryHasher(request, kind);
          for (const e of entries) expect(hasher(e.id, e.learnerId, e.content)).toBe(entryHash({ ...request, kind, id: e.id, learnerId: e.learnerId }, e.content));
        },
      ),
      { numRuns: 300 },
    );
  });
});
