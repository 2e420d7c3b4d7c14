import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * A long loop of work that gives the event loop a turn after every `perTurn` steps, so that the
 * API process it runs in keeps serving requests (background jobs run inside the API by default:
 * docs/operations.md). `await turns.step()` after each unit of work: it resolves at once, or —
 * every `perTurn`-th step — one `setImmediate` later, after the poll phase has run.
 *
 * By count rather than by elapsed time, so that how often a job yields does not depend on how
 * busy the machine is, and a test can count the turns.
 */
export class Turns {
  private steps = 0;

  constructor(private readonly perTurn: number) {}

  step(): Promise<void> | undefined {
    return ++this.steps % this.perTurn === 0 ? nextTurn() : undefined;
  }
}
