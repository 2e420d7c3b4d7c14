import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import { ROOT_LOGGER_TOKEN } from './common/logging/root-logger.token';
import { APP_CONFIG, type AppConfig } from './config/app-config';
import { databaseOptions } from './database/database-options';
import { RightsJobsModule } from './rights/rights.module';
import { LedgerJobsModule } from './disclosures/ledger-jobs.module';
import { NotificationsModule } from './notifications/notifications.module';
import { EventsJobsModule } from './events/events.module';
import { GATED_CONNECTION } from './common/database/gated-connection';

/** What `npm run worker` runs: the notification workers, the ledger's checkpoints, the rights' jobs (exports, reminders) and the events' (emitter, access checks, webhooks), no HTTP. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig & { databaseUrl: string }, logger: Logger): DynamicModule {
    return {
      module: WorkerModule,
      global: true,
      // The delivery lanes once held a connection each; a delivery round now holds one, whatever
      // the lanes (docs/ledger-and-notifications.md), so this is generous: the round, the job
      // bookkeeping around it, and two for an export being built and the other scheduled jobs.
      imports: [
        // Three more for the events' loops (emitter, access checks, webhooks: docs/events.md).
        TypeOrmModule.forRoot(databaseOptions(config.databaseUrl, config.notifications.deliveryLanes + 7, config.databaseTimeouts)),
        // The ledger service is bound to the gated pool's name; in the worker it only writes
        // through the caller's transaction (the events' ACCESS_ENDED entries), so two suffice.
        TypeOrmModule.forRoot({ ...databaseOptions(config.databaseUrl, 2, config.databaseTimeouts), name: GATED_CONNECTION }),
        NotificationsModule,
        LedgerJobsModule,
        RightsJobsModule,
        EventsJobsModule,
      ],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: ROOT_LOGGER_TOKEN, useValue: logger },
      ],
      exports: [APP_CONFIG, ROOT_LOGGER_TOKEN],
    };
  }
}
