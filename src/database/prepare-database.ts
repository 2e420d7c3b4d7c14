import { join } from 'node:path';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/app-config';
import { startEmbeddedPostgres } from './embedded-postgres';
import { migrate } from './migrate';
import { canBypassLedger, ensureApplicationRole, grantApplicationRole, urlAs } from './roles';

export interface PreparedDatabase {
  /** What the API (or a worker) connects with: the least-privilege application role. */
  appUrl: string;
  stop(): Promise<void>;
}

/**
 * One path for `npm start`, `npm run worker` and the CLIs: the embedded server when DATABASE_URL
 * is unset (with both roles set up: the cluster's superuser owns and migrates, `rsa_app` serves),
 * else the configured server (migrations as DATABASE_MIGRATION_URL, or DATABASE_URL if unset).
 */
export async function prepareDatabase(config: AppConfig, logger?: Logger, opts: { migrate?: boolean } = {}): Promise<PreparedDatabase> {
  const runMigrations = opts.migrate ?? config.migrateOnStart;
  if (!config.databaseUrl) {
    logger?.info({ dataDir: config.dataDir, port: config.embeddedPostgresPort }, 'DATABASE_URL not set: starting embedded PostgreSQL');
    const pg = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPostgresPort, log: logger && ((line) => logger.warn(line)) });
    try {
      const ownerUrl = pg.url();
      const password = await ensureApplicationRole(ownerUrl, config.databaseAppRole, join(config.dataDir, 'app-role.secret'));
      if (runMigrations) {
        const { applied } = await migrate(ownerUrl, config.notifications, config.databaseAppRole);
        if (applied.length) logger?.info({ applied }, 'migrations applied');
      } else {
        // A data directory from before the role existed, or migrations run by hand: grant anyway.
        await grantApplicationRole(ownerUrl, config.databaseAppRole);
      }
      return { appUrl: urlAs(ownerUrl, config.databaseAppRole, password), stop: () => pg.stop() };
    } catch (e) {
      await pg.stop().catch(() => undefined);
      throw e;
    }
  }
  if (runMigrations) {
    const { applied, appRoleGranted } = await migrate(config.databaseMigrationUrl ?? config.databaseUrl, config.notifications, config.databaseAppRole);
    if (applied.length) logger?.info({ applied }, 'migrations applied');
    if (!appRoleGranted) logger?.warn({ role: config.databaseAppRole }, 'application role not found: see docs/operations.md, "Database roles"');
  }
  if (await canBypassLedger(config.databaseUrl)) {
    logger?.warn('DATABASE_URL connects as a superuser or the ledger tables\' owner: the append-only rules can be bypassed (docs/operations.md, "Database roles")');
  }
  return { appUrl: config.databaseUrl, stop: () => Promise.resolve() };
}
