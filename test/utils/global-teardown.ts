import { Client } from 'pg';
import type { EmbeddedPostgresHandle } from '../../src/database/embedded-postgres';

export default async function globalTeardown(): Promise<void> {
  const pg = (globalThis as { __embeddedPg?: EmbeddedPostgresHandle }).__embeddedPg;
  if (pg) return pg.stop();
  // On a shared server, leave it as we found it.
  const client = new Client({ connectionString: process.env.TEST_DB_ADMIN_URL });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${process.env.TEST_DB_TEMPLATE} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
