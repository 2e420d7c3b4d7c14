import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type PgBoss from 'pg-boss';
import { DataSource } from 'typeorm';
import type { ConnectionShape } from '../common/pagination/connection';
import { paginate } from '../common/pagination/keyset';
import { DomainError } from '../common/errors/domain-error';
import type { Locale } from '../common/locale';
import type { SharingBasis } from '../common/sharing-basis';
import { isUuid } from '../common/uuid';
import type { NotificationFrequency } from '../learners/learner.entity';
import { QUEUES, type EmailJob } from '../outbox/job-queue';
import { JOB_QUEUE } from '../outbox/job-queue.provider';
import type { FailedDeliveryModel, NotificationsArgs } from './notification.model';
import { NotificationEntity } from '../outbox/notification.entity';

/** An inbox row as handed to GraphQL: the payload's recipient and basis, and the language of its words. */
export type InboxItem = NotificationEntity & { recipientId: string | null; basis: SharingBasis | null; locale: Locale };

/** The learner's in-app inbox and preferences, and the dead letters for provider staff. */
@Injectable()
export class InboxService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(JOB_QUEUE) private readonly boss: PgBoss,
  ) {}

  /** A page of the learner's inbox; `locale` is the language its words are to be in. */
  async list(learnerId: string, args: NotificationsArgs, locale: Locale): Promise<ConnectionShape<InboxItem>> {
    const qb = this.dataSource.getRepository(NotificationEntity).createQueryBuilder('n').where('n.learner_id = :learnerId', { learnerId });
    if (args.unreadOnly) qb.andWhere('n.read_at IS NULL');
    const page = await paginate(qb, args);
    const flatten = <T extends NotificationEntity>(n: T): T & InboxItem =>
      Object.assign(n, {
        recipientId: (n.payload.recipientId as string | undefined) ?? null,
        basis: (n.payload.basis as SharingBasis | undefined) ?? null,
        locale,
      });
    return { ...page, nodes: page.nodes.map(flatten), edges: page.edges.map((e) => ({ ...e, node: flatten(e.node) })) };
  }

  async unreadCount(learnerId: string): Promise<number> {
    const [row] = await this.dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM notifications WHERE learner_id = $1 AND read_at IS NULL`, [learnerId]);
    return row.n;
  }

  /** Marks the learner's own notifications read; ids of others are ignored (not revealed). */
  async markRead(learnerId: string, ids: string[] | null): Promise<number> {
    if (ids && ids.some((id) => !isUuid(id))) throw DomainError.badInput('ids', 'must be notification ids');
    const [, count] = await this.dataSource.query<[unknown, number]>(
      `UPDATE notifications SET read_at = now() WHERE learner_id = $1 AND read_at IS NULL AND ($2::uuid[] IS NULL OR id = ANY($2::uuid[]))`,
      [learnerId, ids],
    );
    return count;
  }

  async setFrequency(learnerId: string, frequency: NotificationFrequency): Promise<NotificationFrequency> {
    await this.dataSource.query(`UPDATE learners SET notification_frequency = $2 WHERE id = $1`, [learnerId, frequency]);
    return frequency;
  }

  /** Dead letters: email jobs that failed after every retry (pg-boss dead-letter queue). */
  async failedDeliveries(): Promise<FailedDeliveryModel[]> {
    const rows = await this.dataSource.query<{ id: string; data: EmailJob; created_on: Date }[]>(
      `SELECT id, data, created_on FROM pgboss.job WHERE name = $1 AND state = 'created' ORDER BY created_on`,
      [QUEUES.emailDead],
    );
    return rows.map((r) => ({ jobId: r.id, learnerIds: r.data.learnerIds, failedAt: r.created_on }));
  }

  /** Re-drive: queue the dead letters' deliveries again, and close the dead letters. */
  async redrive(jobIds: string[] | null): Promise<number> {
    const dead = (await this.failedDeliveries()).filter((d) => !jobIds || jobIds.includes(d.jobId));
    for (const d of dead) {
      await this.boss.send(QUEUES.email, { learnerIds: d.learnerIds } satisfies EmailJob);
      await this.boss.cancel(QUEUES.emailDead, d.jobId);
    }
    return dead.length;
  }
}
