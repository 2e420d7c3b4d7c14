/**
 * Counts the turns of the event loop: a setImmediate that re-queues itself once per loop
 * iteration, so the count a callback sees tells its turn. For tests of work done in turns
 * (common/graphql/in-turns.ts, common/http/json-in-parts.ts, common/turns.ts).
 */
export function ticker(): { now: () => number; stop: () => number } {
  let tick = 0;
  let running = true;
  const step = () => {
    tick++;
    if (running) setImmediate(step);
  };
  setImmediate(step);
  return {
    now: () => tick,
    /** Stops counting; the turns counted so far. */
    stop: () => {
      running = false;
      return tick;
    },
  };
}
