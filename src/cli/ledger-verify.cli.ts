import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config/app-config';
import { databaseOptions } from '../database/database-options';
import { startEmbeddedPostgres } from '../database/embedded-postgres';
import { LedgerVerifierService } from '../disclosures/ledger-verifier.service';

/** `npm run ledger:verify`: exit 0 when every link holds, 1 with the first broken link otherwise. */
async function main(): Promise<void> {
  const config = loadConfig();
  const pg = config.databaseUrl ? undefined : await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPostgresPort });
  const ds = await new DataSource(databaseOptions(config.databaseUrl ?? pg!.url(), 2)).initialize();
  try {
    const result = await new LedgerVerifierService(ds).verify();
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    process.exitCode = result.ok ? 0 : 1;
  } finally {
    await ds.destroy();
    await pg?.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`ledger:verify: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});
