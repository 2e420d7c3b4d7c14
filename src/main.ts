import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { createApp } from './app.factory';
import { createRootLogger } from './common/logging/logger';
import { ConfigError, loadConfig, type AppConfig } from './config/app-config';
import { prepareDatabase } from './database/prepare-database';
import { DEMO } from './seed/demo-ids';
import { DemoSeedService } from './seed/demo-seed.service';

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw e;
  }
  const logger = createRootLogger(config.logLevel);

  let stopDatabase = () => Promise.resolve();
  let databaseUrl: string;
  try {
    const db = await prepareDatabase(config, logger);
    stopDatabase = () => db.stop();
    databaseUrl = db.appUrl;
  } catch (e) {
    logger.fatal({ err: e }, 'failed to prepare the database');
    process.exit(1);
  }

  let app: INestApplication | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining requests');
    const force = setTimeout(() => {
      logger.error('shutdown took longer than 25 s: exiting');
      process.exit(1);
    }, 25_000);
    force.unref();
    try {
      await app?.close(); // stops accepting, waits for in-flight requests, closes the pool
      await stopDatabase();
      logger.info('stopped');
      process.exit(0);
    } catch (e) {
      logger.error({ err: e }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  try {
    app = await createApp({ ...config, databaseUrl }, logger);
    let demoBanner = '';
    if (config.seedDemo) {
      const seed = app.get(DemoSeedService);
      if (await seed.seedOnce()) logger.info('demo data seeded');
      demoBanner = banner(config, seed);
    }
    await app.listen(config.port, config.host);
    logger.info({ port: config.port }, 'listening');
    if (demoBanner) process.stdout.write(demoBanner);
  } catch (e) {
    logger.fatal({ err: e }, 'failed to start');
    await app?.close().catch(() => undefined);
    await stopDatabase().catch(() => undefined);
    process.exit(1);
  }
}

function banner(config: AppConfig, seed: DemoSeedService): string {
  const t = seed.demoTokens();
  const url = `http://localhost:${config.port}/graphql`;
  return `
────────────────────────────────────────────────────────────────────────────
 Results-sharing API ready: ${url}
 Demo tokens (12 h). Use as   Authorization: Bearer <token>

 HR portal (employer client)  ${t.hrPortal}

 Broker client                ${t.broker}

 Learner (${DEMO.learnerId(1)})
                              ${t.learner}

 Provider staff               ${t.staff}

 Client credentials: POST http://localhost:${config.port}/oauth/token
   client_id=${DEMO.hrPortal.clientId}  client_secret=${DEMO.hrPortal.secret}
   client_id=${DEMO.broker.clientId}     client_secret=${DEMO.broker.secret}
 More tokens: npm run token -- --help
────────────────────────────────────────────────────────────────────────────
`;
}

void main();
