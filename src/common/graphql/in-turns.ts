import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ConnectionShape, DeferredConnectionShape } from '../pagination/connection';

/**
 * Learners (each ~3 enrolments, ~90 fields) completed per turn: 25. With 50 the longest blocks of
 * a run of gated pages were 35, 30 and 29 ms, with 25 they were 27, 27 and 26 ms, what is left
 * being mostly garbage collection (docs/benchmarks.md, "Round 3, second session").
 */
export const NODES_PER_TURN = 25;

/**
 * A long list handed to GraphQL in turns of the event loop: every slice of `perTurn` items as
 * promises that resolve one event-loop turn after the slice before, the first one turn after the
 * call. GraphQL completes an item's whole subtree when the item resolves, so a 500-learner page
 * runs as twenty blocks of 25 learners with I/O (other requests, health checks) served in between,
 * instead of one block the length of the page (docs/benchmarks.md: the longest event-loop block
 * has a target). The first slice waits too: otherwise it would run in the same block as the
 * work that made the list (the page's facts, the gate's decisions).
 *
 * Each turn is a `setImmediate` scheduled from the previous one, so it runs in the next
 * iteration of the event loop, after the poll phase.
 */
export function inTurns<T>(items: T[], perTurn = NODES_PER_TURN): Promise<T>[] {
  const out: Promise<T>[] = [];
  let turn: Promise<void> = Promise.resolve();
  for (let i = 0; i < items.length; i += perTurn) {
    turn = turn.then(() => nextTurn());
    const slice = turn;
    for (const item of items.slice(i, i + perTurn)) out.push(slice.then(() => item));
  }
  return out;
}

/** A connection whose nodes (and the edges' nodes, the same objects) reach GraphQL in turns (see inTurns). */
export function connectionInTurns<T>(page: ConnectionShape<T>, perTurn = NODES_PER_TURN): DeferredConnectionShape<T> {
  const nodes = inTurns(page.nodes, perTurn);
  return { ...page, nodes, edges: page.edges.map((edge, i) => nodes[i].then((node) => ({ cursor: edge.cursor, node }))) };
}

/** Maps `items` in slices of `perTurn`, one event-loop turn between slices (see inTurns). */
export async function mapInTurns<T, U>(items: readonly T[], perTurn: number, map: (item: T) => U): Promise<U[]> {
  const out: U[] = [];
  for (let i = 0; i < items.length; i += perTurn) {
    if (i > 0) await nextTurn();
    for (const item of items.slice(i, i + perTurn)) out.push(map(item));
  }
  return out;
}

export { nextTurn };
