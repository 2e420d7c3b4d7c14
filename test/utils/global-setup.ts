import { Client } from 'pg';
import { join } from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../src/database/embedded-postgres';
import { migrate } from '../../src/database/migrate';
import { ensureApplicationRole } from '../../src/database/roles';

// Unique per run, so two runs sharing one server (DATABASE_URL) do not drop each other's template.
export const TEMPLATE_DB = `rsa_test_template_${process.pid}`;

/**
 * Once per `npm test`: a real PostgreSQL (embedded unless DATABASE_URL is set) and a migrated
 * template database. Each test file clones the template (CREATE DATABASE … TEMPLATE), so files
 * run isolated and in parallel without re-running migrations.
 */
export default async function globalSetup(): Promise<void> {
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const pg = await startEmbeddedPostgres({
      // Two concurrent runs on one machine need their own TEST_DATA_DIR and TEST_PG_PORT.
      dataDir: process.env.TEST_DATA_DIR ?? join(__dirname, '..', '..', '.data', 'test'),
      port: Number(process.env.TEST_PG_PORT ?? 54330),
      // A throw-away cluster: durability buys nothing here and costs seconds.
      postgresFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300'],
    });
    (globalThis as { __embeddedPg?: EmbeddedPostgresHandle }).__embeddedPg = pg;
    adminUrl = pg.url();
  }
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  } finally {
    await client.end();
  }
  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${TEMPLATE_DB}`;
  // The app under test connects as the least-privilege role, like npm start (src/database/roles.ts);
  // its grants are part of the template, so every cloned database has them.
  const dataDir = process.env.TEST_DATA_DIR ?? join(__dirname, '..', '..', '.data', 'test');
  process.env.TEST_DB_APP_PASSWORD = await ensureApplicationRole(adminUrl, 'rsa_app', join(dataDir, 'app-role.secret'));
  await migrate(templateUrl.toString(), undefined, 'rsa_app');
  process.env.TEST_DB_ADMIN_URL = adminUrl;
  process.env.TEST_DB_TEMPLATE = TEMPLATE_DB;
}
