import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Logger } from 'pino';
import { AppModule } from './app.module';
import { bodyInSlices } from './common/http/body-in-slices';
import { PinoNestLogger } from './common/logging/logger';
import { requestLogging } from './common/logging/request-logging';
import type { AppConfig } from './config/app-config';

/** The application as main.ts runs it and as the e2e tests run it: one construction path. */
export async function createApp(config: AppConfig & { databaseUrl: string }, logger: Logger): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, logger), {
    logger: new PinoNestLogger(logger.child({ component: 'nest' })),
    bodyParser: true,
  });
  app.use(requestLogging(logger));
  // Answers of megabytes leave in slices, not in one block of the event loop (common/http/body-in-slices.ts).
  app.use(bodyInSlices());
  // Batches of up to 1,000 enrolment rows fit well within this; anything larger is refused (413).
  app.useBodyParser('json', { limit: '2mb' });
  app.useBodyParser('urlencoded', { limit: '16kb', extended: false });
  app.disable('x-powered-by');
  // Express hashes every response body for an ETag: a megabyte page is encoded and hashed once
  // more on the event loop for a header no GraphQL POST can use (the responses are not cacheable).
  app.disable('etag');
  // Behind a load balancer the client's address is in X-Forwarded-For; only trust it as configured
  // (the token endpoint counts failures per address: docs/operations.md).
  if (config.trustProxy !== undefined) app.set('trust proxy', config.trustProxy);
  if (!config.graphql.limitsEnabled) logger.warn('GRAPHQL_LIMITS_ENABLED=false: no cost, depth, alias or token limits (for benchmarks only, docs/api-limits.md)');
  await app.init(); // runs onModuleInit hooks (signing keys) before anything uses them
  return app;
}
