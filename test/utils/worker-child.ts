/**
 * Child process for test/e2e/notification-workers.e2e-spec.ts, run under ts-node outside jest: the
 * notification workers as a process of their own, like `npm run worker` (src/cli/worker.cli.ts)
 * but on an existing, already migrated database (DATABASE_URL is required; no embedded PostgreSQL,
 * no migrations). Configuration comes from the environment exactly as for the real worker.
 *
 * Prints `READY <pid>` on stdout once the workers poll their queues; the structured log (pino JSON
 * lines, level LOG_LEVEL) goes to stdout as well. SIGTERM closes the app gracefully and exits 0;
 * the tests mostly SIGKILL it, which is the point.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { createRootLogger, PinoNestLogger } from '../../src/common/logging/logger';
import { loadConfig } from '../../src/config/app-config';
import { WorkerModule } from '../../src/worker.module';

async function main(): Promise<void> {
  const config = loadConfig({ ...process.env, WORKERS_IN_PROCESS: 'true', MIGRATE_ON_START: 'false' });
  const databaseUrl = config.databaseUrl;
  if (!databaseUrl) throw new Error('worker-child: DATABASE_URL must be set');
  const logger = createRootLogger(config.logLevel).child({ component: 'worker' });
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot({ ...config, databaseUrl }, logger), {
    logger: new PinoNestLogger(logger),
  });
  await app.init();
  process.stdout.write(`READY ${process.pid}\n`);

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    app.close().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`worker-child: close failed: ${String(e)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`worker-child: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
