import fc from 'fast-check';
import { ticker } from '../../../test/utils/turn-ticker';
import { jsonInParts } from './json-in-parts';

/** The text is JSON.stringify's, byte for byte, however it is cut into parts. */
describe('jsonInParts', () => {
  it('joins to exactly JSON.stringify, for any JSON-like value and any part size', async () => {
    // Values as GraphQL results and more: nested arrays and objects, objects without a prototype,
    // undefined and functions (left out of objects, null in arrays), non-finite numbers, Dates
    // (toJSON), boxed primitives, strings with any Unicode (lone surrogates included).
    const leaf = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.constant(() => 1),
      fc.date({ noInvalidDate: true }),
      fc.string().map((s) => new String(s)),
      fc.integer().map((n) => new Number(n)),
      fc.boolean().map((b) => new Boolean(b)),
      // toJSON as JSON.stringify calls it: with the key or index, once, its result written as is
      fc.constant({ toJSON: (key: string) => `key:${key}` }),
      fc.constant({ toJSON: () => undefined }),
      fc.constant({ toJSON: () => ({ toJSON: () => 'called twice' }) }),
      fc.constant(Object.assign([1, 2], { toJSON: (key: string) => ({ array: key }) })),
      fc.constant(Object.assign(() => 1, { toJSON: (key: string) => [key] })),
    );
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object'), tie('bare')),
      array: fc.array(tie('node'), { maxLength: 8 }),
      object: fc.dictionary(fc.string(), tie('node'), { maxKeys: 6 }),
      bare: fc.dictionary(fc.string(), tie('node'), { maxKeys: 4 }).map((o) => Object.assign(Object.create(null) as object, o)),
    })).node;
    const root = fc.oneof(fc.array(value, { maxLength: 20 }), fc.dictionary(fc.string(), value, { maxKeys: 8 }));
    await fc.assert(
      fc.asyncProperty(root, fc.integer({ min: 1, max: 200 }), async (v, partSize) => {
        const parts: string[] = [];
        const done = await jsonInParts(v, (p) => parts.push(p.join('')), { partSize });
        expect(done).toBe(true);
        expect(parts.join('')).toBe(JSON.stringify(v));
      }),
      { numRuns: 500 },
    );
  });

  it('stops making parts once they are no longer wanted', async () => {
    const value = { nodes: Array.from({ length: 1_000 }, (_, i) => ({ i })) };
    let made = 0;
    const done = await jsonInParts(value, () => made++, { partSize: 100, stop: () => made >= 3 });
    expect(done).toBe(false);
    expect(made).toBe(3);
  });

  it('cuts a large array into parts of about the size asked, one turn apart, never inside an element', async () => {
    const nodes = Array.from({ length: 500 }, (_, i) => ({ id: `learner-${i}`, name: 'x'.repeat(100), items: [{ a: i }, { b: [i, i] }] }));
    const value = { data: { learners: { nodes, pageInfo: { endCursor: 'abc', hasNextPage: true } } } };
    const turns = ticker();
    const parts: string[] = [];
    expect(await jsonInParts(value, (p) => parts.push(p.join('')), { partSize: 5_000 })).toBe(true);
    const whole = parts.join('');
    turns.stop();
    expect(whole).toBe(JSON.stringify(value));
    const element = JSON.stringify(nodes[0]).length;
    expect(parts.length).toBeGreaterThanOrEqual(Math.floor(whole.length / (5_000 + element)));
    for (const p of parts.slice(0, -1)) expect(p.length).toBeLessThan(5_000 + element + 2);
    // every part but the last was followed by a turn of the event loop
    expect(turns.now()).toBeGreaterThanOrEqual(parts.length - 1);
    // each element whole in one part
    for (const p of parts) expect(p.match(/"id":"learner-\d+"/g)?.length ?? 0).toBe(p.match(/"name":/g)?.length ?? 0);
  });
});
