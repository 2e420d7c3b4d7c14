import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../src/database/embedded-postgres';

export const BENCH_DB = 'rsa_bench';

/**
 * The benchmark's database server: BENCH_DATABASE_URL's server if set, else an embedded
 * PostgreSQL in .data/bench (port 54370), kept between runs so the seed is paid once.
 */
export async function benchServer(): Promise<{ url: (db: string) => string; stop: () => Promise<void> }> {
  const given = process.env.BENCH_DATABASE_URL;
  if (given) {
    return {
      url: (db) => {
        const u = new URL(given);
        u.pathname = `/${db}`;
        return u.toString();
      },
      stop: () => Promise.resolve(),
    };
  }
  const pg: EmbeddedPostgresHandle = await startEmbeddedPostgres({
    dataDir: join(process.cwd(), '.data', 'bench'), // npm scripts run in the repository root
    port: Number(process.env.BENCH_PG_PORT ?? 54370),
    postgresFlags: ['-c', 'shared_buffers=512MB', '-c', 'max_connections=200', '-c', 'synchronous_commit=on'],
  });
  return { url: (db) => pg.url(db), stop: () => pg.stop() };
}

export async function recreateDatabase(adminUrl: string, name: string): Promise<void> {
  const c = new Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${name}`);
  } finally {
    await c.end();
  }
}
