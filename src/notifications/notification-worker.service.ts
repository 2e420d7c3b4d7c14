import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import { ROOT_LOGGER_TOKEN } from '../common/logging/root-logger.token';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { EmailDeliveryService } from './email/email-delivery.service';
import { QUEUES, type EmailJob } from '../outbox/job-queue';
import { JOB_QUEUE } from '../outbox/job-queue.provider';

/** Made once: an Intl formatter per call would hold native memory until a late GC (templates.ts). */
const WEEKDAY = new Intl.DateTimeFormat('en-GB', { weekday: 'short', timeZone: 'Europe/Amsterdam' });

/**
 * The notification workers: inside the API process by default, or alone with `npm run worker`.
 * Any number of processes may run them on one database: pg-boss hands each job to one worker, and
 * the delivery locks the learner's rows.
 */
@Injectable()
export class NotificationWorker implements OnApplicationBootstrap {
  constructor(
    @Inject(JOB_QUEUE) private readonly boss: PgBoss,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER_TOKEN) private readonly logger: Logger,
    private readonly delivery: EmailDeliveryService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.notifications.workersInProcess) return;
    await this.start();
  }

  async start(): Promise<void> {
    const pollingIntervalSeconds = this.config.notifications.pollSeconds;
    // pg-boss waits out the rest of its polling interval after every fetch, however quick the job
    // was, unless the worker was notified meanwhile: without the notice one job a fetch capped a
    // drain at about a job a second, and most jobs of a backlog find their learners' messages
    // already sent by an earlier job (docs/benchmarks.md). A job handled asks for the next at once;
    // pg-boss still completes or fails (and retries) each job on its own, each with its own expiry.
    const worker = { id: '' };
    worker.id = await this.boss.work<EmailJob>(QUEUES.email, { batchSize: 1, pollingIntervalSeconds }, async ([job]) => {
      if (worker.id) this.boss.notifyWorker(worker.id);
      // Which process took which job, also when the job then fails and is retried elsewhere.
      this.logger.debug({ jobId: job.id, learners: job.data.learnerIds.length }, 'notification job started');
      const sent = await this.delivery.deliver(job.data.learnerIds);
      this.logger.debug({ jobId: job.id, learners: job.data.learnerIds.length, sent }, 'notification emails sent');
    });
    await this.boss.work(QUEUES.digest, { batchSize: 1, pollingIntervalSeconds }, async () => {
      await this.runDigests(new Date());
    });
    // 07:00 Amsterdam time: daily digests every day, weekly ones on Monday.
    await this.boss.schedule(QUEUES.digest, '0 7 * * *', {}, { tz: 'Europe/Amsterdam' });
    this.logger.info('notification workers started');
  }

  async runDigests(at: Date): Promise<void> {
    await this.delivery.deliverDigests('DAILY');
    if (WEEKDAY.format(at) === 'Mon') await this.delivery.deliverDigests('WEEKLY');
  }
}
