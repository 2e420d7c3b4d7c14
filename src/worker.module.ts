import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import { ROOT_LOGGER_TOKEN } from './common/logging/root-logger.token';
import { APP_CONFIG, type AppConfig } from './config/app-config';
import { databaseOptions } from './database/database-options';
import { LedgerJobsModule } from './disclosures/ledger-jobs.module';
import { NotificationsModule } from './notifications/notifications.module';

/** What `npm run worker` runs: the notification workers and the ledger's checkpoints, no HTTP. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig & { databaseUrl: string }, logger: Logger): DynamicModule {
    return {
      module: WorkerModule,
      global: true,
      // A connection per delivery lane, and two for the job bookkeeping around them.
      imports: [TypeOrmModule.forRoot(databaseOptions(config.databaseUrl, config.notifications.deliveryLanes + 2, config.databaseTimeouts)), NotificationsModule, LedgerJobsModule],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: ROOT_LOGGER_TOKEN, useValue: logger },
      ],
      exports: [APP_CONFIG, ROOT_LOGGER_TOKEN],
    };
  }
}
