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
  learnerId: string;
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

interface Addressee {
  id: string;
  name: string;
  email: string;
  locale: Locale;
}

type Names = { orgName: Map<string, string>; courseTitle: Map<string, string> };

const MAX_PER_MESSAGE = 500;
/** Learners per round of a digest run, as many as an email job lists (one gated page). */
const DIGEST_PAGE = 500;
/**
 * A round is one transaction: its learners' unsent rows are read and locked by one statement,
 * their messages sent, and the sent rows marked by one statement. Up to this many learners…
 */
const LEARNERS_PER_ROUND = 100;
/** …and about this many notifications (each with its ledger content, ~1.5 kB): the memory of a round. */
const ROWS_PER_ROUND = 1000;
/**
 * No send starts later than this into a round; learners not begun go to the next round. A round
 * holds its learners' rows locked (a learner marking a notification read waits for them) and sits
 * idle in its transaction while it sends: this bounds both to the budget plus one send, whose SMTP
 * timeouts (mailer.service.ts) keep it well below the database's idle-in-transaction timeout.
 */
const ROUND_SEND_BUDGET_MS = 2000;

/**
 * Sends each learner one message listing every notification not yet emailed. Rows are locked
 * (FOR UPDATE SKIP LOCKED) for the duration of the send, so two workers never send the same
 * notification; a crash before the commit leaves them unsent and the job is retried, with the same
 * Message-ID (a hash of the notification ids), so a duplicate is recognisable (at-least-once).
 *
 * Learners go in rounds (docs/ledger-and-notifications.md, "Delivery guarantees"): one statement
 * finds which of a job's learners have anything to send, and each round of up to
 * LEARNERS_PER_ROUND of them is a handful of statements, not a handful per learner: a drain of
 * one-disclosure messages was bound by the database round trips, not by SMTP.
 */
@Injectable()
export class EmailDeliveryService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly mailer: MailerService,
  ) {}

  /** `digest` sends for learners who chose that frequency; otherwise only IMMEDIATE learners. */
  async deliver(learnerIds: string[], mode: NotificationFrequency = 'IMMEDIATE'): Promise<number> {
    let queue = await this.pendingOf(learnerIds, mode);
    let sent = 0;
    const failures: unknown[] = [];
    // After a round the time budget cut short (a slow SMTP server), the next ones take about what
    // could be begun, instead of reading and locking 100 learners to send to a few.
    let limit = LEARNERS_PER_ROUND;
    while (queue.length > 0) {
      const take = roundSize(queue, limit);
      const round = queue.slice(0, take);
      queue = queue.slice(take);
      // One round's failure does not hold back the others; the job fails at the end and is retried,
      // and what was sent is marked and will not go twice.
      const outcome = await this.deliverRound(
        round.map((p) => p.id),
        mode,
      ).catch((e: unknown) => ({ sent: 0, begun: 0, full: [] as string[], notBegun: [] as string[], failed: true, failure: e }));
      if (outcome.failed) failures.push(outcome.failure);
      sent += outcome.sent;
      limit = outcome.notBegun.length > 0 ? Math.max(this.config.notifications.deliveryLanes, 2 * outcome.begun) : LEARNERS_PER_ROUND;
      // Learners the round's time budget left out go first in the next round. A learner with more
      // unsent notifications than one message lists gets the next message in a later round (each
      // round marks what it sent, so this ends).
      queue = [...round.filter((p) => outcome.notBegun.includes(p.id)), ...queue, ...outcome.full.map((id) => ({ id, pending: MAX_PER_MESSAGE }))];
    }
    if (failures.length) throw failures[0];
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
      // As within deliver(): one page's failure does not hold back the others; the job fails
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

  /**
   * Which of these learners have something to send in this mode, and how many rows (up to one
   * message's worth) — one statement for a whole job. Digest learners are sent by the digest job;
   * an erased learner has no address left. Rows locked by another delivery count: the round finds
   * out, and fails the job so that it is retried (below).
   */
  private async pendingOf(learnerIds: string[], mode: NotificationFrequency): Promise<{ id: string; pending: number }[]> {
    if (learnerIds.length === 0) return [];
    return this.dataSource.query(
      `SELECT l.id, p.pending FROM learners l
         CROSS JOIN LATERAL (SELECT count(*)::int AS pending FROM (SELECT 1 FROM notifications n
                               WHERE n.learner_id = l.id AND n.emailed_at IS NULL LIMIT ${MAX_PER_MESSAGE}) x) p
        WHERE l.id = ANY($1::uuid[]) AND l.notification_frequency = $2 AND l.erased_at IS NULL AND p.pending > 0
        ORDER BY l.id`,
      [learnerIds, mode],
    );
  }

  /**
   * One transaction: the learners' unsent rows locked, a message per learner sent (up to
   * `NOTIFY_DELIVERY_LANES` at once, none begun after ROUND_SEND_BUDGET_MS), the sent rows marked
   * emailed, commit. A failed send leaves that learner's rows unsent; the others are still marked,
   * and the failure is returned with what was done.
   */
  private async deliverRound(
    learnerIds: string[],
    mode: NotificationFrequency,
  ): Promise<{ sent: number; begun: number; full: string[]; notBegun: string[]; failed: boolean; failure?: unknown }> {
    const qr = this.dataSource.createQueryRunner();
    await qr.connect();
    try {
      await qr.startTransaction();
      // The learner is read again inside the transaction: erased or switched to a digest since the
      // job's first look means nothing is sent now.
      const rows = (await qr.query(
        `SELECT l.id AS "learnerId", l.name, l.email, l.locale,
                n.id, n.kind, n.payload, n.created_at AS "createdAt", n.disclosure_id AS "disclosureId",
                d.recipient_id AS "recipientId", d.disclosed_at AS "disclosedAt", d.content
           FROM learners l
          CROSS JOIN LATERAL (SELECT n.id, n.kind, n.payload, n.created_at, n.disclosure_id FROM notifications n
                               WHERE n.learner_id = l.id AND n.emailed_at IS NULL
                               ORDER BY n.id LIMIT ${MAX_PER_MESSAGE} FOR UPDATE SKIP LOCKED) n
           LEFT JOIN disclosures d ON d.id = n.disclosure_id
          WHERE l.id = ANY($1::uuid[]) AND l.notification_frequency = $2 AND l.erased_at IS NULL
          ORDER BY l.id, n.id`,
        [learnerIds, mode],
      )) as (PendingRow & Addressee)[];
      const byLearner = new Map<string, { learner: Addressee; rows: PendingRow[] }>();
      for (const r of rows) {
        const entry = byLearner.get(r.learnerId);
        if (entry) entry.rows.push(r);
        else byLearner.set(r.learnerId, { learner: { id: r.learnerId, name: r.name, email: r.email, locale: r.locale }, rows: [r] });
      }
      // Unsent rows we could not lock belong to a delivery still under way elsewhere. If that one
      // fails (or its worker dies) after this job completed, nothing would send them: fail this
      // job instead, so it is retried later and finds them sent or free.
      const unlocked = learnerIds.filter((id) => !byLearner.has(id));
      const lockedElsewhere =
        unlocked.length > 0 &&
        (
          (await qr.query(
            `SELECT EXISTS (SELECT 1 FROM notifications n JOIN learners l ON l.id = n.learner_id
                             WHERE n.learner_id = ANY($1::uuid[]) AND n.emailed_at IS NULL
                               AND l.notification_frequency = $2 AND l.erased_at IS NULL) AS "lockedElsewhere"`,
            [unlocked, mode],
          )) as { lockedElsewhere: boolean }[]
        )[0].lockedElsewhere;
      // Each ledger content parsed once, for the names and for the message.
      const itemsOf = new Map<PendingRow, DisclosedEnrolment[]>(rows.map((r) => [r, r.content ? perCategory(itemsOfContent(r.content)) : []]));
      const names = await this.namesFor(qr, rows, itemsOf);
      const sendingSince = performance.now();
      const inTime = () => performance.now() - sendingSince < ROUND_SEND_BUDGET_MS;
      const sends = await inLanes([...byLearner.values()], this.config.notifications.deliveryLanes, inTime, async ({ learner, rows: mine }) => {
        const ids = mine.map((r) => r.id);
        const messageId = `<${sha256Hex(ids.join(',')).slice(0, 40)}@results-sharing-api>`;
        await this.mailer.send({
          to: learner.email,
          ...this.compose(learner, mine, names, itemsOf),
          messageId,
          headers: {
            'X-Notification-Ids': ids.join(','),
            'X-Disclosure-Ids': mine.flatMap((r) => (r.disclosureId ? [r.disclosureId] : [])).join(','),
          },
        });
        return { ids, messageId, full: mine.length === MAX_PER_MESSAGE ? learner.id : null };
      });
      const done = sends.flatMap((s) => (s?.status === 'fulfilled' ? [s.value] : []));
      if (done.length > 0) {
        await qr.query(
          `UPDATE notifications n SET emailed_at = now(), email_message_id = v.message_id
             FROM unnest($1::uuid[], $2::text[]) AS v(id, message_id) WHERE n.id = v.id`,
          [done.flatMap((d) => d.ids), done.flatMap((d) => d.ids.map(() => d.messageId))],
        );
      }
      await qr.commitTransaction();
      const failed = sends.find((s): s is PromiseRejectedResult => s?.status === 'rejected');
      const learners = [...byLearner.keys()];
      const notBegun = learners.filter((_, i) => sends[i] === undefined);
      return {
        sent: done.length,
        begun: learners.length - notBegun.length,
        full: done.flatMap((d) => (d.full ? [d.full] : [])),
        notBegun,
        failed: failed !== undefined || lockedElsewhere,
        failure: failed ? failed.reason : lockedElsewhere ? new Error('notifications of some learners are being delivered by another worker; retry later') : undefined,
      };
    } catch (e) {
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      throw e;
    } finally {
      await qr.release();
    }
  }

  /** The names a round's messages show: every organisation and course they mention, in two statements. */
  private async namesFor(qr: QueryRunner, rows: PendingRow[], itemsOf: Map<PendingRow, DisclosedEnrolment[]>): Promise<Names> {
    const orgIds = new Set<string>();
    const courseIds = new Set<string>();
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
    return { orgName: new Map(orgs.map((o) => [o.id, o.name])), courseTitle: new Map(courses.map((c) => [c.id, c.title])) };
  }

  private compose(learner: Addressee, rows: PendingRow[], { orgName, courseTitle }: Names, itemsOf: Map<PendingRow, DisclosedEnrolment[]>) {
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

/** How many learners from the head of the queue make the next round (at least one). */
function roundSize(queue: { pending: number }[], limit: number): number {
  let rows = 0;
  let n = 0;
  while (n < queue.length && n < limit && (n === 0 || rows + queue[n].pending <= ROWS_PER_ROUND)) rows += queue[n++].pending;
  return n;
}

/**
 * `f` over the items, at most `lanes` at a time; once `mayBegin` says no, a lane begins no other
 * item (but each begins one, so a round always gets on). The outcome of each item in the items'
 * order (undefined: not begun).
 */
async function inLanes<T, R>(items: T[], lanes: number, mayBegin: () => boolean, f: (item: T) => Promise<R>): Promise<(PromiseSettledResult<R> | undefined)[]> {
  const out: (PromiseSettledResult<R> | undefined)[] = new Array<PromiseSettledResult<R> | undefined>(items.length).fill(undefined);
  let next = 0;
  const lane = async () => {
    for (let first = true; next < items.length && (first || mayBegin()); first = false) {
      const i = next++;
      try {
        out[i] = { status: 'fulfilled', value: await f(items[i]) };
      } catch (reason) {
        out[i] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, items.length) }, lane));
  return out;
}
