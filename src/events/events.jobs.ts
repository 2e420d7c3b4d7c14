import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { ROOT_LOGGER_TOKEN } from '../common/logging/root-logger.token';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { QUEUES, recurring } from '../outbox/job-queue';
import { JOB_QUEUE } from '../outbox/job-queue.provider';
import { AccessEndedService } from './access/access-ended.service';
import { deleteOldEvents, sweepTimeDrivenEndings } from './access/access-sweep';
import { EventEmitter } from './event-emitter';
import { PollLoop } from './poll-loop';
import { WebhookDispatcher } from './webhooks/webhook-dispatcher';

/**
 * The events' background work, wherever workers run (the API by default, or `npm run worker`):
 * the emitter, the access checker (after the ledger tracker) and the webhook dispatcher each in
 * a loop that follows commits within EVENTS_POLL_MS, and the time sweep on its schedule. Every
 * step is safe with several processes running it (docs/events.md, "Running it").
 */
@Injectable()
export class EventsJobs implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly loops: PollLoop[] = [];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER_TOKEN) private readonly logger: Logger,
    @Inject(JOB_QUEUE) private readonly boss: PgBoss,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly emitter: EventEmitter,
    private readonly access: AccessEndedService,
    private readonly dispatcher: WebhookDispatcher,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.notifications.workersInProcess) return;
    const { pollMs, batchSize } = this.config.events;
    this.loops.push(
      new PollLoop(
        'events-emit',
        pollMs,
        async () => (await this.emitter.runOnce(batchSize)) === batchSize,
        this.logger,
      ),
      new PollLoop(
        'access-ended',
        pollMs,
        async () => {
          await this.access.trackReceived();
          return (await this.access.runOnce(batchSize)) === batchSize;
        },
        this.logger,
      ),
    );
    // Outcomes are recorded before the next claim, in its transaction (a delivery counts as in
    // flight until then), and a finished attempt wakes the loop: a slot is free, without waiting
    // for the next poll.
    const webhooks = new PollLoop(
      'webhooks',
      pollMs,
      async () => {
        const started = await this.dispatcher.step();
        return started > 0 && this.dispatcher.capacity > 0;
      },
      this.logger,
    );
    this.dispatcher.onSettled = () => webhooks.poke();
    this.loops.push(webhooks);
    for (const loop of this.loops) loop.start();
    await recurring(
      this.boss,
      QUEUES.eventsSweep,
      {
        cron: this.config.events.sweepCron,
        pollingIntervalSeconds: this.config.notifications.pollSeconds,
      },
      () => this.sweep(),
    );
  }

  /** Time-driven endings, and events past the feed's window. */
  async sweep(): Promise<{ checks: number; deleted: number }> {
    const checks = await sweepTimeDrivenEndings(this.dataSource);
    const deleted = await deleteOldEvents(this.dataSource, this.config.events.retentionDays);
    if (checks || deleted) this.logger.info({ checks, deleted }, 'events sweep');
    return { checks, deleted };
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.loops.map((l) => l.stop()));
    await this.dispatcher
      .settle()
      .catch((e: unknown) =>
        this.logger.error({ err: e }, 'webhook outcomes not recorded at shutdown'),
      );
    this.dispatcher.close();
  }
}
