import { inTurns } from './in-turns';

describe('inTurns', () => {
  it('keeps every item in order, the first slice synchronous', async () => {
    const items = Array.from({ length: 250 }, (_, i) => i);
    const out = inTurns(items, 100);
    expect(out.slice(0, 100)).toEqual(items.slice(0, 100));
    expect(out.slice(100).every((x) => x instanceof Promise)).toBe(true);
    expect(await Promise.all(out.map((x) => Promise.resolve(x)))).toEqual(items);
  });

  it('resolves each later slice in a later turn of the event loop than the one before', async () => {
    // A ticker that re-queues itself once per loop iteration: the tick a slice sees tells its turn.
    let tick = 0;
    let running = true;
    const ticker = () => {
      tick++;
      if (running) setImmediate(ticker);
    };
    setImmediate(ticker);
    const seen: number[] = [];
    const out = inTurns([0, 1, 2, 3], 1);
    for (const item of out.slice(1)) void (item as Promise<number>).then(() => seen.push(tick));
    await Promise.all(out.map((x) => Promise.resolve(x)));
    running = false;
    expect(seen).toHaveLength(3);
    expect(seen[0]).toBeGreaterThan(0);
    expect(seen[1]).toBeGreaterThan(seen[0]);
    expect(seen[2]).toBeGreaterThan(seen[1]);
  });
});
