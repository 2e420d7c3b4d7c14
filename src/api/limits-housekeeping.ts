import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { TokenThrottle } from '../auth/token-throttle.service';
import { ROOT_LOGGER_TOKEN } from '../common/logging/root-logger.token';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { QUEUES, recurring } from '../outbox/job-queue';
import { JOB_QUEUE } from '../outbox/job-queue.provider';

/**
 * The limits' own tables would otherwise grow with every address and client id ever seen
 * (docs/api-limits.md): every 15 minutes, wherever workers run, expired token-failure counts go,
 * and so do cost budgets untouched for longer than it takes one to refill (they are full again).
 */
@Injectable()
export class LimitsHousekeeping implements OnApplicationBootstrap {
  constructor(
    @Inject(JOB_QUEUE) private readonly boss: PgBoss,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER_TOKEN) private readonly logger: Logger,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly throttle: TokenThrottle,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.notifications.workersInProcess) return;
    await recurring(this.boss, QUEUES.limitsHousekeeping, { cron: '*/15 * * * *', pollingIntervalSeconds: this.config.notifications.pollSeconds }, async () => {
      this.logger.info(await this.run(), 'limits housekeeping');
    });
  }

  async run(): Promise<{ tokenFailures: number; costBudgets: number }> {
    const refillSeconds = Math.ceil(this.config.graphql.costBudget / this.config.graphql.costRefillPerSecond);
    const [, costBudgets] = await this.dataSource.query<[unknown[], number]>(
      `DELETE FROM api_cost_budgets WHERE updated_at < now() - make_interval(secs => $1)`,
      [Math.max(refillSeconds, 60)],
    );
    return { tokenFailures: await this.throttle.deleteExpired(), costBudgets };
  }
}
