import { DataSource } from 'typeorm';
import { installQueues, type QueueSettings } from '../outbox/job-queue';
import { databaseOptions } from './database-options';
import { grantApplicationRole } from './roles';

/** The least-privilege role the API connects as (src/database/roles.ts). */
export const DEFAULT_APP_ROLE = 'rsa_app';

const MIGRATION_LOCK = 0x5253_4d49; // pg advisory lock id: one process migrates at a time

/**
 * Applies pending migrations before the app starts. Several API processes may start at once
 * (a rolling deploy): an advisory lock makes the others wait and then find nothing to do.
 */
export async function migrate(
  url: string,
  queues: QueueSettings = { retryLimit: 8, jobExpireSeconds: 120 },
  appRole: string = DEFAULT_APP_ROLE,
): Promise<{ applied: string[]; appRoleGranted: boolean }> {
  const ds = new DataSource({ ...databaseOptions(url, 2), logging: false });
  await ds.initialize();
  const lock = ds.createQueryRunner();
  try {
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await ds.runMigrations({ transaction: 'all' });
    // The job queue (the notification outbox) keeps its own schema, installed under the same lock.
    await installQueues(url, queues);
    // Then the application's role gets what the new schema needs, and nothing of the ledger's.
    const appRoleGranted = await grantApplicationRole(url, appRole);
    return { applied: applied.map((m) => m.name), appRoleGranted };
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await lock.release();
    await ds.destroy();
  }
}
