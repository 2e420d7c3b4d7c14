import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { ROOT_LOGGER_TOKEN } from '../common/logging/root-logger.token';
import { uuid7 } from '../common/uuid7';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { MailerService } from '../notifications/email/mailer.service';
import { QUEUES, recurring } from '../outbox/job-queue';
import { JOB_QUEUE } from '../outbox/job-queue.provider';
import { sha256Hex } from '../common/hashing';

interface Due {
  id: string;
  kind: string;
  learnerId: string;
  dueAt: Date;
  which: 'WEEK' | 'DAY';
}

/**
 * Warns provider staff of learner requests about to fall due (docs/learner-rights.md,
 * "Deadlines"): 7 days and 1 day before the deadline in force, each once — an in-app alert and one
 * email to PRIVACY_MAILBOX per run. The reminder columns are set in the same transaction as the
 * alerts, and the email is sent before it commits: a failed send leaves the request un-reminded
 * for the next run (at least once, never silently lost). Runs by the database clock.
 */
@Injectable()
export class RequestReminders implements OnApplicationBootstrap {
  constructor(
    @Inject(JOB_QUEUE) private readonly boss: PgBoss,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER_TOKEN) private readonly logger: Logger,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly mailer: MailerService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.notifications.workersInProcess) return;
    await recurring(this.boss, QUEUES.requestReminders, { cron: this.config.rights.reminderCron, tz: 'Europe/Amsterdam', pollingIntervalSeconds: this.config.notifications.pollSeconds }, async () => {
      const sent = await this.run();
      if (sent.length) this.logger.info({ reminders: sent.length }, 'request reminders sent');
    });
  }

  async run(): Promise<Due[]> {
    return this.dataSource.transaction(async (em) => {
      // A request found inside its last day gets the one-day reminder only (the week one is
      // marked too: it would only be noise now).
      const [due] = await em.query<[Due[], number]>(
        `WITH due AS (
           SELECT id, CASE WHEN due_at <= now() + interval '1 day' THEN 'DAY' ELSE 'WEEK' END AS which
             FROM data_subject_requests
            WHERE status IN ('RECEIVED', 'IN_PROGRESS')
              AND ((due_at <= now() + interval '1 day' AND reminded_day_at IS NULL)
                OR (due_at <= now() + interval '7 days' AND due_at > now() + interval '1 day' AND reminded_week_at IS NULL))
            ORDER BY due_at FOR UPDATE SKIP LOCKED)
         UPDATE data_subject_requests r
            SET reminded_week_at = coalesce(r.reminded_week_at, now()),
                reminded_day_at = CASE WHEN due.which = 'DAY' THEN now() ELSE r.reminded_day_at END
           FROM due WHERE r.id = due.id
         RETURNING r.id, r.kind, r.learner_id AS "learnerId", r.due_at AS "dueAt", due.which`,
      );
      if (due.length === 0) return [];
      await em.query(`INSERT INTO staff_alerts (id, kind, request_id) SELECT * FROM unnest($1::uuid[], $2::staff_alert_kind[], $3::uuid[])`, [
        due.map(() => uuid7()),
        due.map((d) => (d.which === 'DAY' ? 'REQUEST_DUE_TOMORROW' : 'REQUEST_DUE_IN_A_WEEK')),
        due.map((d) => d.id),
      ]);
      const fmt = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Amsterdam' });
      // Ids and dates only: the mailbox learns which requests to open, the register holds the rest.
      const lines = due.map((d) => `- ${d.kind} request ${d.id} (learner ${d.learnerId}): due ${fmt.format(d.dueAt)}${d.which === 'DAY' ? ' (within a day, or overdue)' : ' (within a week)'}`);
      const text = `${due.length === 1 ? 'A learner request falls' : `${due.length} learner requests fall`} due soon. Answer them in time (the privacy statement promises 4 weeks):\n\n${lines.join('\n')}\n`;
      await this.mailer.send({
        to: this.config.rights.privacyMailbox,
        subject: `${due.length} learner request${due.length === 1 ? '' : 's'} due soon`,
        text,
        html: `<pre>${text.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!)}</pre>`,
        messageId: `<${sha256Hex(due.map((d) => `${d.id}:${d.which}`).join(',')).slice(0, 40)}@results-sharing-api>`,
        headers: { 'X-Request-Ids': due.map((d) => d.id).join(',') },
      });
      return due;
    });
  }
}
