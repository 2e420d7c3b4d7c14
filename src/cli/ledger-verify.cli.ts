import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config/app-config';
import { databaseOptions } from '../database/database-options';
import { prepareDatabase } from '../database/prepare-database';
import { LedgerVerifierService } from '../disclosures/ledger-verifier.service';

/** `npm run ledger:verify`: exit 0 when every link holds, 1 with the first broken link otherwise. */
async function main(): Promise<void> {
  const config = loadConfig();
  const db = await prepareDatabase(config);
  const ds = await new DataSource(databaseOptions(db.appUrl, 2)).initialize();
  try {
    const result = await new LedgerVerifierService(ds).verify();
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    process.exitCode = result.ok ? 0 : 1;
  } finally {
    await ds.destroy();
    await db.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`ledger:verify: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});
