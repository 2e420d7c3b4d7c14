import { EventSubscriber, type EntitySubscriberInterface, type QueryRunner, type TransactionCommitEvent, type TransactionRollbackEvent } from 'typeorm';

const waiting = new WeakMap<QueryRunner, (() => void)[]>();

/**
 * Runs `fn` once the transaction open on `qr` has committed, and never if it rolls back: for
 * what must only count what was written — a metric of the events a transaction wrote, say —
 * from code that holds nothing but the transaction's QueryRunner (src/events/events-writer.ts).
 *
 * The outermost COMMIT or ROLLBACK decides. Savepoints are not tracked: nothing registered inside
 * a savepoint that is later rolled back may use this. Nor may a caller that catches a failed
 * statement and commits anyway: PostgreSQL answers that COMMIT with a rollback, not an error.
 */
export function afterCommit(qr: QueryRunner, fn: () => void): void {
  const list = waiting.get(qr);
  if (list) list.push(fn);
  else waiting.set(qr, [fn]);
}

/**
 * The TypeORM subscriber that runs what `afterCommit` registered (registered in
 * src/database/database-options.ts). A callback that throws is not the transaction's failure: it
 * has committed; the others still run.
 */
@EventSubscriber()
export class AfterCommitSubscriber implements EntitySubscriberInterface {
  afterTransactionCommit({ queryRunner }: TransactionCommitEvent): void {
    // Still active: a savepoint was released, the transaction goes on.
    if (queryRunner.isTransactionActive) return;
    const list = waiting.get(queryRunner);
    if (!list) return;
    waiting.delete(queryRunner);
    for (const fn of list) {
      try {
        fn();
      } catch {
        // Nothing to undo: what it reports is committed.
      }
    }
  }

  afterTransactionRollback({ queryRunner }: TransactionRollbackEvent): void {
    if (!queryRunner.isTransactionActive) waiting.delete(queryRunner);
  }
}
