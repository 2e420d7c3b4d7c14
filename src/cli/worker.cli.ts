import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { createRootLogger, PinoNestLogger } from '../common/logging/logger';
import { ConfigError, loadConfig } from '../config/app-config';
import { prepareDatabase } from '../database/prepare-database';
import { WorkerModule } from '../worker.module';

/**
 * `npm run worker`: the notification workers as a process of their own (run any number of them;
 * set WORKERS_IN_PROCESS=false on the API processes to keep delivery out of them).
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig({ ...process.env, WORKERS_IN_PROCESS: 'true' });
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(78);
    }
    throw e;
  }
  const logger = createRootLogger(config.logLevel).child({ component: 'worker' });
  const db = await prepareDatabase(config, logger);
  const databaseUrl = db.appUrl;
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot({ ...config, databaseUrl }, logger), {
    logger: new PinoNestLogger(logger),
  });
  await app.init();
  const stop = async () => {
    await app.close();
    await db.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

main().catch((e: unknown) => {
  process.stderr.write(`worker: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
