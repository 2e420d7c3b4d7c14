import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { LearnersModule } from '../learners/learners.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { OutboxModule } from '../outbox/outbox.module';
import { RequestsModule } from '../requests/requests.module';
import { DownloadLinks } from './export/download-links';
import { ExportDownloadController } from './export/export-download.controller';
import { ExportResolver } from './export/export.resolver';
import { ExportService } from './export/export.service';
import { ExportWorker } from './export/export.worker';
import { MyProfileResolver } from './my-profile.resolver';
import { RequestReminders } from './request-reminders';
import { RequestsResolver } from './requests.resolver';
import { ErasureService } from './retention/erasure.service';
import { RetentionJob } from './retention/retention.job';
import { RetentionResolver } from './retention/retention.resolver';

/** The learner's rights through the API (docs/learner-rights.md): requests, export, rectification. */
@Module({
  imports: [AuthModule, LearnersModule, NotificationsModule, OutboxModule, RequestsModule],
  controllers: [ExportDownloadController],
  providers: [ExportService, DownloadLinks, ExportResolver, RequestsResolver, MyProfileResolver, ErasureService, RetentionResolver],
  exports: [ExportService],
})
export class RightsModule {}

/** The rights' jobs, for wherever workers run (the API by default, or `npm run worker`). */
@Module({
  imports: [NotificationsModule, OutboxModule, RequestsModule],
  providers: [ExportService, ExportWorker, RequestReminders, RetentionJob],
})
export class RightsJobsModule {}
