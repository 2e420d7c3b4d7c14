import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { ROOT_LOGGER_TOKEN } from '../common/logging/root-logger.token';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { QUEUES } from '../outbox/job-queue';
import { JOB_QUEUE } from '../outbox/job-queue.provider';
import { LedgerCheckpoints } from './ledger-checkpoint.service';

/**
 * Takes a signed ledger checkpoint on a schedule (LEDGER_CHECKPOINT_CRON, default every 10
 * minutes), wherever background workers run: in `npm start` by default, or `npm run worker`.
 * pg-boss runs a scheduled job once across all processes.
 */
@Injectable()
export class LedgerCheckpointWorker implements OnApplicationBootstrap {
  constructor(
    @Inject(JOB_QUEUE) private readonly boss: PgBoss,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER_TOKEN) private readonly logger: Logger,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.notifications.workersInProcess) return;
    const checkpoints = new LedgerCheckpoints(this.dataSource);
    await this.boss.work(QUEUES.ledgerCheckpoint, { batchSize: 1, pollingIntervalSeconds: this.config.notifications.pollSeconds }, async () => {
      try {
        const taken = await checkpoints.take();
        // The signed checkpoint also leaves the database, in the logs: a copy no one with the
        // database's keys can rewrite.
        this.logger.info({ checkpoint: taken.id, chains: taken.heads.length, jws: taken.signature }, 'ledger checkpoint taken');
      } catch (err) {
        this.logger.error({ err }, 'ledger checkpoint failed');
        throw err;
      }
    });
    await this.boss.schedule(QUEUES.ledgerCheckpoint, this.config.ledger.checkpointCron, {});
  }
}
