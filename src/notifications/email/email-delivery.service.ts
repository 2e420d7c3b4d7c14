import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type QueryRunner } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import type { Locale } from '../../common/locale';
import type { NotificationFrequency } from '../../learners/learner.entity';
import { itemsOfContent, perCategory, type DisclosedEnrolment } from '../../disclosures/disclosure-item';
import { sha256Hex } from '../../common/hashing';
import type { NotificationKind } from '../../outbox/notification.entity';
import type { NotificationPayload } from '../../outbox/learner-notifier.service';
import type { RequestKind } from '../../requests/request-kinds';
import { MailerService } from './mailer.service';
import { renderLearnerMessage, type DisclosureLine, type EventLine } from './templates';

interface PendingRow {
  id: string;
  kind: NotificationKind;
  payload: NotificationPayload & { reason?: string };
  createdAt: Date;
  disclosureId: string | null;
  recipientId: string | null;
  disclosedAt: Date | null;
  /** The ledger entry's hashed content, for a DISCLOSURE. */
  content: string | null;
}

const MAX_PER_MESSAGE = 500;
/** Learners per round of a digest run, as many as an email job lists (one gated page). */
const DIGEST_PAGE = 500;

/**
 * Sends each learner one message listing every notification not yet emailed. Rows are locked
 * (FOR UPDATE SKIP LOCKED) for the duration of the send, so two workers never send the same
 * notification; a crash before the commit leaves them unsent and the job is retried, with the same
 * Message-ID (a hash of the notification ids), so a duplicate is recognisable (at-least-once).
 */
@Injectable()
export class EmailDeliveryService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly mailer: MailerService,
  ) {}

  /** `digest` sends for learners who chose that frequency; otherwise only IMMEDIATE learners. */
  async deliver(learnerIds: string[], mode: 'IMMEDIATE' | 'DAILY' | 'WEEKLY' = 'IMMEDIATE'): Promise<number> {
    // Learners are independent (each has its own rows and message): a few at a time.
    let sent = 0;
    let next = 0;
    const lane = async () => {
      while (next < learnerIds.length) {
        const n = await this.deliverOne(learnerIds[next++], mode);
        sent += n; // after the await: lanes interleave
      }
    };
    const lanes = await Promise.allSettled(Array.from({ length: Math.min(this.config.notifications.deliveryLanes, learnerIds.length) }, lane));
    // Any failure fails the job, which is retried; what was sent is marked and will not go twice.
    const failed = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
    if (failed) throw failed.reason;
    return sent;
  }

  /**
   * The digest of every learner who chose this frequency and has unsent notifications, a page of
   * learners at a time (keyset on the id): memory stays that of one page however many there are.
   */
  async deliverDigests(frequency: Exclude<NotificationFrequency, 'IMMEDIATE'>): Promise<number> {
    let sent = 0;
    const failures: unknown[] = [];
    for (let after: string | null = null; ; ) {
      const learnerIds = await this.digestLearners(frequency, after);
      if (learnerIds.length === 0) break;
      // As within deliver(): one learner's failure does not hold back the others; the job fails
      // at the end and its retry sends what is still unsent.
      sent += await this.deliver(learnerIds, frequency).catch((e: unknown) => {
        failures.push(e);
        return 0;
      });
      after = learnerIds[learnerIds.length - 1];
    }
    if (failures.length) throw failures[0];
    return sent;
  }

  /** Up to DIGEST_PAGE learners after `after` with unsent notifications who chose this frequency. */
  private async digestLearners(frequency: NotificationFrequency, after: string | null): Promise<string[]> {
    const rows = await this.dataSource.query<{ id: string }[]>(
      `SELECT l.id FROM learners l WHERE l.notification_frequency = $1 AND ($2::uuid IS NULL OR l.id > $2::uuid)
          AND EXISTS (SELECT 1 FROM notifications n WHERE n.learner_id = l.id AND n.emailed_at IS NULL)
        ORDER BY l.id LIMIT ${DIGEST_PAGE}`,
      [frequency, after],
    );
    return rows.map((r) => r.id);
  }

  private async deliverOne(learnerId: string, mode: NotificationFrequency): Promise<number> {
    const qr = this.dataSource.createQueryRunner();
    await qr.connect();
    try {
      await qr.startTransaction();
      const [learner] = (await qr.query(
        `SELECT name, email, locale, notification_frequency AS frequency, erased_at AS "erasedAt" FROM learners WHERE id = $1`,
        [learnerId],
      )) as { name: string; email: string; locale: Locale; frequency: NotificationFrequency; erasedAt: Date | null }[];
      // Digest learners are sent by the digest job; an erased learner has no address left.
      if (!learner || learner.frequency !== mode || learner.erasedAt) {
        await qr.commitTransaction();
        return 0;
      }
      const rows = (await qr.query(
        `SELECT n.id, n.kind, n.payload, n.created_at AS "createdAt", n.disclosure_id AS "disclosureId",
                d.recipient_id AS "recipientId", d.disclosed_at AS "disclosedAt", d.content
           FROM notifications n LEFT JOIN disclosures d ON d.id = n.disclosure_id
          WHERE n.learner_id = $1 AND n.emailed_at IS NULL
          ORDER BY n.id LIMIT ${MAX_PER_MESSAGE} FOR UPDATE OF n SKIP LOCKED`,
        [learnerId],
      )) as PendingRow[];
      if (rows.length === 0) {
        // Unsent rows we could not lock belong to a delivery still under way elsewhere. If that one
        // fails (or its worker dies) after this job completed, nothing would send them: fail this
        // job instead, so it is retried later and finds them sent or free.
        const [{ locked }] = (await qr.query(`SELECT EXISTS (SELECT 1 FROM notifications WHERE learner_id = $1 AND emailed_at IS NULL) AS locked`, [learnerId])) as {
          locked: boolean;
        }[];
        await qr.commitTransaction();
        if (locked) throw new Error(`notifications of learner ${learnerId} are being delivered by another worker; retry later`);
        return 0;
      }
      const message = await this.compose(qr, learner, rows);
      const ids = rows.map((r) => r.id);
      const messageId = `<${sha256Hex(ids.join(',')).slice(0, 40)}@results-sharing-api>`;
      await this.mailer.send({
        to: learner.email,
        ...message,
        messageId,
        headers: {
          'X-Notification-Ids': ids.join(','),
          'X-Disclosure-Ids': rows.flatMap((r) => (r.disclosureId ? [r.disclosureId] : [])).join(','),
        },
      });
      await qr.query(`UPDATE notifications SET emailed_at = now(), email_message_id = $2 WHERE id = ANY($1::uuid[])`, [ids, messageId]);
      await qr.commitTransaction();
      return 1;
    } catch (e) {
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      throw e;
    } finally {
      await qr.release();
    }
  }

  private async compose(qr: QueryRunner, learner: { name: string; locale: Locale }, rows: PendingRow[]) {
    const orgIds = new Set<string>();
    const courseIds = new Set<string>();
    const itemsOf = new Map<PendingRow, DisclosedEnrolment[]>(rows.map((r) => [r, r.content ? perCategory(itemsOfContent(r.content)) : []]));
    for (const r of rows) {
      if (r.recipientId) orgIds.add(r.recipientId);
      if (r.payload.recipientId) orgIds.add(r.payload.recipientId);
      if (r.payload.employerId) orgIds.add(r.payload.employerId);
      if (r.payload.courseId) courseIds.add(r.payload.courseId);
      for (const item of itemsOf.get(r)!) {
        courseIds.add(item.courseId);
        for (const c of item.categories) if (c.onBehalfOf) orgIds.add(c.onBehalfOf);
      }
    }
    const [orgs, courses] = await Promise.all([
      qr.query(`SELECT id, name FROM organisations WHERE id = ANY($1::uuid[])`, [[...orgIds]]) as Promise<{ id: string; name: string }[]>,
      qr.query(`SELECT id, title FROM courses WHERE id = ANY($1::uuid[])`, [[...courseIds]]) as Promise<{ id: string; title: string }[]>,
    ]);
    const orgName = new Map(orgs.map((o) => [o.id, o.name]));
    const courseTitle = new Map(courses.map((c) => [c.id, c.title]));
    const disclosures: DisclosureLine[] = [];
    const events: EventLine[] = [];
    for (const r of rows) {
      if (r.kind === 'DISCLOSURE') {
        for (const item of itemsOf.get(r)!) {
          const onBehalfOf = item.categories.find((c) => c.onBehalfOf)?.onBehalfOf ?? null;
          disclosures.push({
            at: r.disclosedAt!,
            recipient: orgName.get(r.recipientId!) ?? '?',
            onBehalfOf: onBehalfOf ? (orgName.get(onBehalfOf) ?? '?') : null,
            course: courseTitle.get(item.courseId) ?? '?',
            categories: item.categories.map((c) => c.category),
            bases: item.categories.map((c) => c.basis),
          });
        }
      } else if (r.kind === 'ACCESS_ENDED') {
        // The ledger's record that the recipient was told to delete (docs/events.md).
        for (const item of itemsOf.get(r)!) {
          events.push({
            at: r.disclosedAt!,
            kind: r.kind,
            recipient: orgName.get(r.recipientId!) ?? '?',
            basis: null,
            employer: null,
            course: courseTitle.get(item.courseId) ?? '?',
            categories: item.categories.map((c) => c.category),
          });
        }
      } else {
        const p = r.payload;
        events.push({
          at: r.createdAt,
          kind: r.kind,
          recipient: p.recipientId ? (orgName.get(p.recipientId) ?? null) : null,
          basis: p.basis ?? null,
          employer: p.employerId ? (orgName.get(p.employerId) ?? null) : null,
          course: p.courseId ? (courseTitle.get(p.courseId) ?? null) : null,
          request: (p.requestKind as RequestKind | undefined) ?? null,
          date: p.dueAt ? new Date(p.dueAt) : p.expiresAt ? new Date(p.expiresAt) : null,
          reason: p.reason ?? null,
        });
      }
    }
    return renderLearnerMessage({ locale: learner.locale, name: learner.name, disclosures, events, privacyUrl: this.config.notifications.privacyUrl });
  }
}
