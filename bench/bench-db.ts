import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../src/database/embedded-postgres';

export const BENCH_DB = 'rsa_bench';

/**
 * The benchmark's database server: BENCH_DATABASE_URL's server if set, else an embedded
 * PostgreSQL in .data/bench (port 54370), kept between runs so the seed is paid once.
 */
export async function benchServer(): Promise<{ url: (db: string) => string; stop: () => Promise<void>; postmasterPid: () => number | null }> {
  const given = process.env.BENCH_DATABASE_URL;
  if (given) {
    return {
      url: (db) => {
        const u = new URL(given);
        u.pathname = `/${db}`;
        return u.toString();
      },
      stop: () => Promise.resolve(),
      // Another machine's or another owner's server: its CPU is not ours to count.
      postmasterPid: () => null,
    };
  }
  const dataDir = join(process.cwd(), '.data', 'bench'); // npm scripts run in the repository root
  const pg: EmbeddedPostgresHandle = await startEmbeddedPostgres({
    dataDir,
    port: Number(process.env.BENCH_PG_PORT ?? 54370),
    postgresFlags: ['-c', 'shared_buffers=512MB', '-c', 'max_connections=200', '-c', 'synchronous_commit=on'],
  });
  return {
    url: (db) => pg.url(db),
    stop: () => pg.stop(),
    // The server's CPU use during a phase (bench/machine.ts) is that of the postmaster's tree.
    postmasterPid: () => {
      try {
        return Number(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]) || null;
      } catch {
        return null;
      }
    },
  };
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
