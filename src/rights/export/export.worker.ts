import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import { ROOT_LOGGER_TOKEN } from '../../common/logging/root-logger.token';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { QUEUES, recurring } from '../../outbox/job-queue';
import { JOB_QUEUE } from '../../outbox/job-queue.provider';
import { ExportService, type ExportJob } from './export.service';

/**
 * Builds exports and deletes expired ones, wherever workers run (inside the API by default, or
 * `npm run worker`). An export that fails on its last retry is marked FAILED, which staff see.
 */
@Injectable()
export class ExportWorker implements OnApplicationBootstrap {
  constructor(
    @Inject(JOB_QUEUE) private readonly boss: PgBoss,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER_TOKEN) private readonly logger: Logger,
    private readonly exports: ExportService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.notifications.workersInProcess) return;
    const pollingIntervalSeconds = this.config.notifications.pollSeconds;
    await this.boss.work<ExportJob>(QUEUES.learnerExport, { batchSize: 1, pollingIntervalSeconds, includeMetadata: true }, async ([job]) => {
      try {
        await this.exports.build(job.data.exportId);
        this.logger.info({ exportId: job.data.exportId }, 'learner export ready');
      } catch (e) {
        if (job.retryCount >= job.retryLimit) await this.exports.markFailed(job.data.exportId);
        throw e;
      }
    });
    await recurring(this.boss, QUEUES.exportExpiry, { cron: '*/15 * * * *', pollingIntervalSeconds }, async () => {
      const expired = await this.exports.expire();
      if (expired) this.logger.info({ expired }, 'learner exports expired');
    });
  }
}
