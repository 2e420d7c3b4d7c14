import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { ApiLimitsModule } from './api/api-limits.module';
import { AuthModule } from './auth/auth.module';
import { DisclosureLedgerService } from './disclosures/disclosure-ledger.service';
import { DisclosuresModule } from './disclosures/disclosures.module';
import { NotificationsModule } from './notifications/notifications.module';
import { JwtAuthMiddleware } from './auth/jwt-auth.middleware';
import { graphqlConfig } from './api/graphql.config';
import { HeavyOperations } from './api/heavy-operations';
import { InputValidationPipe } from './common/validation.pipe';
import { APP_CONFIG, type AppConfig } from './config/app-config';
import { databaseOptions } from './database/database-options';
import { EnrolmentsModule } from './enrolments/enrolments.module';
import { HealthModule } from './health/health.module';
import { LearnersModule } from './learners/learners.module';
import { OrganisationsModule } from './organisations/organisations.module';
import { PrivacyModule } from './privacy/privacy.module';
import { SeedModule } from './seed/seed.module';
import { SharingModule } from './sharing/sharing.module';
import { RightsJobsModule, RightsModule } from './rights/rights.module';
import { AnalysisModule } from './rights/analysis/analysis.module';
import { EventsJobsModule, EventsModule } from './events/events.module';
import { CONTROL_CONNECTION } from './common/database/control-connection';
import { GATED_CONNECTION } from './common/database/gated-connection';
import { ROOT_LOGGER_TOKEN } from './common/logging/root-logger.token';

export const ROOT_LOGGER = ROOT_LOGGER_TOKEN;

@Module({})
export class AppModule implements NestModule {
  /** `config.databaseUrl` must be set: main.ts starts the embedded server first when it is not. */
  static forRoot(config: AppConfig & { databaseUrl: string }, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        TypeOrmModule.forRoot({ ...databaseOptions(config.databaseUrl, config.databasePoolSize, config.databaseTimeouts), migrationsRun: false }),
        // A pool of its own for the token endpoint, token checks and health (common/database/control-connection.ts).
        TypeOrmModule.forRoot({ ...databaseOptions(config.databaseUrl, config.databaseControlPoolSize, config.databaseTimeouts), name: CONTROL_CONNECTION }),
        // And one for the gated read path (common/database/gated-connection.ts).
        TypeOrmModule.forRoot({ ...databaseOptions(config.databaseUrl, config.databaseGatedPoolSize, config.databaseTimeouts), name: GATED_CONNECTION }),
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          imports: [DisclosuresModule, ApiLimitsModule],
          inject: [DisclosureLedgerService, DataSource, HeavyOperations],
          useFactory: (ledger: DisclosureLedgerService, dataSource: DataSource, heavy: HeavyOperations) => graphqlConfig(config, logger, ledger, dataSource, heavy),
        }),
        HealthModule,
        ApiLimitsModule,
        AuthModule,
        OrganisationsModule,
        LearnersModule,
        EnrolmentsModule,
        SharingModule,
        PrivacyModule,
        NotificationsModule,
        DisclosuresModule,
        SeedModule,
        RightsModule,
        RightsJobsModule,
        AnalysisModule,
        EventsModule,
        EventsJobsModule,
      ],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: ROOT_LOGGER, useValue: logger },
        { provide: APP_PIPE, useClass: InputValidationPipe },
      ],
      exports: [APP_CONFIG, ROOT_LOGGER],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(JwtAuthMiddleware).forRoutes('graphql');
  }
}
