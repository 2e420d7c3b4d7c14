import { join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { AfterCommitSubscriber } from '../common/database/after-commit';
import { ENTITIES } from './entities';

/** Per-connection limits, so that no lock or runaway statement can hang the API (docs/operations.md). */
export interface DatabaseTimeouts {
  statementMs: number;
  lockMs: number;
  idleInTransactionMs: number;
  poolWaitMs: number;
}

export function databaseOptions(url: string, poolSize = 10, timeouts?: DatabaseTimeouts): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    // Runs what a transaction registered to happen only once it has committed (after-commit.ts).
    subscribers: [AfterCommitSubscriber],
    // ts under ts-node/jest, js under dist/: the same folder either way.
    migrations: [join(__dirname, '..', '..', 'migrations', '*.{ts,js}')],
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'all',
    synchronize: false,
    uuidExtension: 'pgcrypto',
    extra: {
      max: poolSize,
      application_name: 'results-sharing-api',
      // Set by node-postgres on every new connection. Migrations run without them (a backfill may
      // rightly take long); the API and the workers always with them.
      ...(timeouts && {
        statement_timeout: timeouts.statementMs,
        lock_timeout: timeouts.lockMs,
        idle_in_transaction_session_timeout: timeouts.idleInTransactionMs,
        // Waiting for a free connection is bounded too: an error, not a hang, when a pool is full.
        connectionTimeoutMillis: timeouts.poolWaitMs,
      }),
    },
  };
}
