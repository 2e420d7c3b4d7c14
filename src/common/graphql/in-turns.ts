/**
 * A long list handed to GraphQL in turns of the event loop: the first `perTurn` items as they
 * are, every later slice as promises that resolve one event-loop turn after the slice before.
 * GraphQL completes an item's whole subtree when the item resolves, so a 500-learner page runs
 * as five blocks of ~100 learners with I/O (other requests, health checks) served in between,
 * instead of one block the length of the page (docs/benchmarks.md: the longest event-loop block has a target).
 *
 * Each turn is a `setImmediate` scheduled from the previous one, so it runs in the next
 * iteration of the event loop, after the poll phase.
 */
export function inTurns<T>(items: T[], perTurn = 100): (T | Promise<T>)[] {
  const out: (T | Promise<T>)[] = items.slice(0, perTurn);
  let turn: Promise<void> = Promise.resolve();
  for (let i = perTurn; i < items.length; i += perTurn) {
    turn = turn.then(() => new Promise<void>((resolve) => setImmediate(resolve)));
    const slice = turn;
    for (const item of items.slice(i, i + perTurn)) out.push(slice.then(() => item));
  }
  return out;
}
