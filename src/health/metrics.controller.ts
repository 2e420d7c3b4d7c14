import { Controller, Get, Inject, NotFoundException, Req, Res, UnauthorizedException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request, Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { Public } from '../auth/auth.decorators';
import { CONTROL_CONNECTION } from '../common/database/control-connection';
import { GATED_CONNECTION } from '../common/database/gated-connection';
import { dbPoolWaiting, deadLetters, jobQueueDepth, metrics, notificationLagSeconds } from '../common/metrics';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { QUEUES } from '../outbox/job-queue';

/**
 * `/metrics` in Prometheus' text format (docs/operations.md, "Metrics"). With METRICS_TOKEN set it
 * asks for `Authorization: Bearer <token>`; in production without one it does not exist (404).
 * The gauges that live in the database are read at scrape time.
 */
@Controller('metrics')
export class MetricsController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectDataSource(GATED_CONNECTION) private readonly gated: DataSource,
    @InjectDataSource(CONTROL_CONNECTION) private readonly control: DataSource,
  ) {}

  @Public()
  @Get()
  async scrape(@Req() req: Request, @Res() res: Response): Promise<void> {
    const token = this.config.metricsToken;
    if (!token && this.config.nodeEnv === 'production') throw new NotFoundException();
    if (token && !sameSecret(req.headers.authorization ?? '', `Bearer ${token}`)) throw new UnauthorizedException();
    await this.readGauges();
    res.set('Content-Type', metrics.contentType).send(await metrics.metrics());
  }

  private async readGauges(): Promise<void> {
    const queues = await this.dataSource.query<{ name: string; n: number }[]>(
      `SELECT name, count(*)::int AS n FROM pgboss.job WHERE state IN ('created', 'retry') GROUP BY name`,
    );
    jobQueueDepth.reset();
    for (const q of queues) jobQueueDepth.set({ queue: q.name }, q.n);
    deadLetters.set(queues.find((q) => q.name === QUEUES.emailDead)?.n ?? 0);
    const [lag] = await this.dataSource.query<{ seconds: number | null }[]>(
      `SELECT extract(epoch FROM now() - min(n.created_at))::float8 AS seconds
         FROM notifications n JOIN learners l ON l.id = n.learner_id
        WHERE n.emailed_at IS NULL AND l.notification_frequency = 'IMMEDIATE' AND l.erased_at IS NULL`,
    );
    notificationLagSeconds.set(lag?.seconds ?? 0);
    for (const [pool, source] of [['main', this.dataSource], ['gated', this.gated], ['control', this.control]] as const) {
      dbPoolWaiting.set({ pool }, (source.driver as PostgresDriver).master?.waitingCount ?? 0);
    }
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
