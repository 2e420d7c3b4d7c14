import { Inject, Injectable } from '@nestjs/common';
import type PgBoss from 'pg-boss';
import type { EntityManager } from 'typeorm';
import { uuid7 } from '../common/uuid7';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type { SharingBasis } from '../common/sharing-basis';
import { emailJob, inTransaction, type EmailJob } from './job-queue';
import { JOB_QUEUE } from './job-queue.provider';
import type { NotificationKind } from './notification.entity';

const JOB_CHUNK = 1000;

/** What a non-disclosure notification names (ids and times only: names are looked up when shown). */
export interface NotificationPayload {
  recipientId?: string;
  basis?: SharingBasis;
  agreementId?: string;
  employerId?: string;
  courseId?: string;
  requestId?: string;
  requestKind?: string;
  /** ISO instants. */
  dueAt?: string;
  exportId?: string;
  expiresAt?: string;
  /** Staff's reason for an extension or a rejection: the learner is told it (GDPR Art. 12(3)–(4)). */
  reason?: string;
}

/**
 * Tells learners of the events that change what may be shared about them (docs/ledger-and-notifications.md, "Information duties"):
 * an agreement starts covering them, their consent, objection or restriction is recorded or
 * lifted. Always inside the caller's transaction: the event and its notification commit together.
 */
@Injectable()
export class LearnerNotifier {
  constructor(
    @Inject(JOB_QUEUE) private readonly boss: PgBoss,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async inform(
    em: EntityManager,
    learnerIds: string[],
    kind: Exclude<NotificationKind, 'DISCLOSURE'>,
    payload: NotificationPayload,
  ): Promise<void> {
    if (learnerIds.length === 0) return;
    const now = Date.now();
    await em.query(
      `INSERT INTO notifications (id, learner_id, kind, payload) SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::notification_kind[], $4::jsonb[])`,
      [learnerIds.map(() => uuid7(now)), learnerIds, learnerIds.map(() => kind), learnerIds.map(() => JSON.stringify(payload))],
    );
    const jobs: PgBoss.JobInsert<EmailJob>[] = [];
    for (let i = 0; i < learnerIds.length; i += JOB_CHUNK) jobs.push(emailJob(learnerIds.slice(i, i + JOB_CHUNK), this.config.notifications, now));
    await this.boss.insert(jobs, inTransaction(em.queryRunner!));
  }
}
