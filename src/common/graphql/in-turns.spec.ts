import { ticker } from '../../../test/utils/turn-ticker';
import { inTurns, mapInTurns } from './in-turns';

describe('inTurns', () => {
  it('keeps every item in order, every slice deferred', async () => {
    const items = Array.from({ length: 250 }, (_, i) => i);
    const out = inTurns(items, 100);
    expect(out).toHaveLength(250);
    expect(out.every((x) => x instanceof Promise)).toBe(true);
    expect(await Promise.all(out)).toEqual(items);
  });

  it('resolves the first slice in a later turn than the call, and each later slice in a later turn than the one before', async () => {
    const t = ticker();
    const seen: number[] = [];
    const out = inTurns([0, 1, 2, 3], 1);
    for (const item of out) void item.then(() => seen.push(t.now()));
    await Promise.all(out);
    t.stop();
    expect(seen).toHaveLength(4);
    expect(seen[0]).toBeGreaterThan(0);
    for (let i = 1; i < 4; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1]);
  });
});

describe('mapInTurns', () => {
  it('maps in order, one turn between slices', async () => {
    const t = ticker();
    const turns: number[] = [];
    const out = await mapInTurns([1, 2, 3, 4, 5], 2, (x) => {
      turns.push(t.now());
      return x * 10;
    });
    t.stop();
    expect(out).toEqual([10, 20, 30, 40, 50]);
    // slices [1,2] [3,4] [5]: the same turn within a slice, a later one for the next
    expect(turns[0]).toBe(turns[1]);
    expect(turns[2]).toBeGreaterThan(turns[1]);
    expect(turns[2]).toBe(turns[3]);
    expect(turns[4]).toBeGreaterThan(turns[3]);
  });
});
