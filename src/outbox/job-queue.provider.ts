import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit, type Provider } from '@nestjs/common';
import type PgBoss from 'pg-boss';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ROOT_LOGGER_TOKEN } from '../common/logging/root-logger.token';
import type { Logger } from 'pino';
import { createBoss } from './job-queue';

export const JOB_QUEUE = Symbol('JOB_QUEUE');

/** Starts and stops the process's pg-boss instance with the app. */
@Injectable()
export class JobQueueLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(JOB_QUEUE) private readonly boss: PgBoss,
    @Inject(ROOT_LOGGER_TOKEN) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    this.boss.on('error', (err) => this.logger.error({ err }, 'job queue error'));
    await this.boss.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.boss.stop({ graceful: true, wait: true, timeout: 10_000 });
  }
}

export const jobQueueProvider: Provider = {
  provide: JOB_QUEUE,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig & { databaseUrl: string }) =>
    // Only processes that run workers supervise (expire stuck jobs) and run the digest schedule.
    createBoss(config.databaseUrl, {
      supervise: config.notifications.workersInProcess,
      schedule: config.notifications.workersInProcess,
      maintenanceSeconds: config.notifications.maintenanceSeconds,
    }),
};
