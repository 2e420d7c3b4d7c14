import { Inject, Injectable } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type QueryRunner } from 'typeorm';
import { DISCLOSURE_CATEGORIES, type DisclosureCategory } from '../../common/disclosure-category';
import { uuid7 } from '../../common/uuid7';
import {
  itemOf,
  type DisclosureGrant,
  type DisclosureItem,
} from '../../disclosures/disclosure-item';
import { DisclosureLedgerService, ledgerEntry, type LedgerRequestFacts } from '../../disclosures/disclosure-ledger.service';
import type { GateFactsLoader } from '../../sharing/gate/gate-facts.loader';
import { EVENTS_FACTS_LOADER } from '../events-facts';
import { SharingRules, type Recipient } from '../../sharing/gate/sharing-rules';
import type { AccessEndedReason } from '../event-types';
import { writeEvents, type NewEvent } from '../events-writer';
import { accessEndedReason } from './access-ended-reason';
import { trackReceived } from './received-tracker';

/**
 * One transaction lock for the tracker and the checker, over all processes: both touch
 * `recipient_access`, and one at a time they cannot deadlock on its rows.
 */
const ACCESS_LOCK = 7340033;
/** Tracker steps one call commits, at most (the loop calls again at once while there is more). */
const TRACKER_STEPS_PER_CALL = 50;
/** Learners whose facts one statement loads. */
const LEARNERS_PER_STEP = 1000;
/** Who the ledger names as having told the recipient: this service, not a person or client. */
export const ACCESS_ENDED_ACTOR = 'system:access-ended';

interface AccessRow {
  recipient_id: string;
  enrolment_id: string;
  learner_id: string;
  course_id: string;
  categories: DisclosureCategory[];
  grants: Partial<Record<DisclosureCategory, DisclosureGrant>>;
  kind: Recipient['kind'];
}

interface Ending {
  row: AccessRow;
  ended: DisclosureCategory[];
  reason: AccessEndedReason;
}

/**
 * Tells recipients to delete what they may no longer keep (GDPR Art. 17(2) and 19; docs/events.md,
 * "Access ended"). For the access checks written since the last run — by triggers on every change
 * that can end access, by the time sweep, by the tracker — it asks the gate, for each category a
 * recipient received of an enrolment of those learners, whether it is still shared with it now.
 * Each category that is not ends: in one transaction it leaves `recipient_access`, the recipient
 * gets an `access.ended` event (its feed, its webhooks, its tombstones) with the masked reason,
 * and the ledger records that it was told — an ACCESS_ENDED entry, which also tells the learner.
 */
@Injectable()
export class AccessEndedService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(EVENTS_FACTS_LOADER) private readonly loader: GateFactsLoader,
    private readonly ledger: DisclosureLedgerService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Brings `recipient_access` up to the ledger; returns how many (recipient, learner) pairs gained something. */
  async trackReceived(): Promise<number> {
    let checks = 0;
    for (let step = 0; step < TRACKER_STEPS_PER_CALL; step++) {
      let batches = 0;
      await this.locked(ACCESS_LOCK, async (qr) => {
        const r = await trackReceived(qr);
        batches = r.batches;
        checks += r.checks;
        return r.batches;
      });
      if (batches === 0) break;
    }
    return checks;
  }

  /** Handles up to `batchSize` access checks; returns how many it took (0: nothing to do, or another process is at it). */
  runOnce(batchSize: number): Promise<number> {
    return this.locked(ACCESS_LOCK, async (qr) => {
      const checks: { learner_id: string | null; recipient_id: string | null }[] = await qr.query(
        `WITH taken AS (DELETE FROM access_checks WHERE id IN (SELECT id FROM access_checks ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED) RETURNING learner_id, recipient_id)
         SELECT * FROM taken`,
        [batchSize],
      );
      if (checks.length === 0) return 0;
      const learners = [...new Set(checks.flatMap((c) => (c.learner_id ? [c.learner_id] : [])))];
      const recipients = [
        ...new Set(
          checks.flatMap((c) => (!c.learner_id && c.recipient_id ? [c.recipient_id] : [])),
        ),
      ];
      const rows: AccessRow[] = await qr.query(
        `SELECT a.recipient_id, a.enrolment_id, a.learner_id, a.course_id, a.categories, a.grants, o.kind
           FROM recipient_access a JOIN organisations o ON o.id = a.recipient_id
          WHERE cardinality(a.categories) > 0
            AND (a.learner_id = ANY($1::uuid[]) OR a.recipient_id = ANY($2::uuid[])
                 -- An employer's change reaches the brokers that read through its mandates too.
                 OR a.recipient_id IN (SELECT m.broker_id FROM broker_mandates m WHERE m.employer_id = ANY($2::uuid[])))
          ORDER BY a.learner_id
          FOR UPDATE OF a`,
        [learners, recipients],
      );
      const endings: Ending[] = [];
      for (let i = 0; i < rows.length;) {
        // Whole learners per step: a learner's rows are decided on the same facts.
        let j = Math.min(i + LEARNERS_PER_STEP, rows.length);
        while (j < rows.length && rows[j].learner_id === rows[j - 1].learner_id) j++;
        endings.push(...(await this.decide(rows.slice(i, j))));
        i = j;
      }
      if (endings.length > 0) await this.tell(qr, endings);
      // An erasure's notice to a recipient that has nothing left to delete (told earlier, for
      // another cause) is answered too: there is nothing more to tell it.
      await qr.query(
        `UPDATE recipient_notices n SET sent_at = now()
          WHERE n.sent_at IS NULL AND n.learner_id = ANY($1::uuid[])
            AND NOT EXISTS (SELECT 1 FROM recipient_access a WHERE a.recipient_id = n.recipient_id AND a.learner_id = n.learner_id AND cardinality(a.categories) > 0)`,
        [learners],
      );
      return checks.length;
    });
  }

  private async decide(rows: AccessRow[]): Promise<Ending[]> {
    const recipients = new Map<string, Recipient>(
      rows.map((r) => [r.recipient_id, { kind: r.kind, id: r.recipient_id }]),
    );
    const facts = await this.loader.forRecipients(
      [...recipients.values()],
      [...new Set(rows.map((r) => r.learner_id))],
    );
    const rules = new SharingRules(facts, 'RECIPIENT');
    const enrolments = new Map(facts.enrolments.map((e) => [e.id, e]));
    const endings: Ending[] = [];
    for (const row of rows) {
      const enrolment = enrolments.get(row.enrolment_id);
      const ended: DisclosureCategory[] = [];
      const reasons: AccessEndedReason[] = [];
      // In the categories' own order, as everywhere else.
      for (const category of DISCLOSURE_CATEGORIES.filter((c) => row.categories.includes(c))) {
        // An enrolment that no longer exists is shared with no one.
        const decision = enrolment
          ? rules.decide(recipients.get(row.recipient_id)!, enrolment, category)
          : { allowed: false as const, reasons: ['NOT_SHARED' as const] };
        if (decision.allowed) continue;
        ended.push(category);
        // An erasure takes the employment records with it, which would read as an agreement that
        // no longer applies: it is the learner's choice, and reads NOT_SHARED like the others.
        reasons.push(facts.learners.get(row.learner_id)?.erasedAt ? 'NOT_SHARED' : accessEndedReason(decision.reasons, row.grants[category]));
      }
      // One reason per notice: the categories' own when they agree, else the plainest.
      if (ended.length > 0) endings.push({ row, ended, reason: reasons.every((r) => r === reasons[0]) ? reasons[0] : 'NOT_SHARED' });
    }
    return endings;
  }

  private async tell(qr: QueryRunner, endings: Ending[]): Promise<void> {
    const [{ now }] = await qr.query(`SELECT now() AS now`);
    const toldAt = new Date(now as Date);
    await qr.query(
      `UPDATE recipient_access a SET categories = ARRAY(SELECT c FROM unnest(a.categories) c WHERE NOT c = ANY(string_to_array(u.ended, ',')))
         FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS u(recipient_id, enrolment_id, ended)
        WHERE a.recipient_id = u.recipient_id AND a.enrolment_id = u.enrolment_id`,
      [
        endings.map((e) => e.row.recipient_id),
        endings.map((e) => e.row.enrolment_id),
        endings.map((e) => e.ended.join(',')),
      ],
    );
    const events: NewEvent[] = endings.map((e) => ({
      id: uuid7(toldAt.getTime()),
      recipientId: e.row.recipient_id,
      type: 'access.ended',
      learnerId: e.row.learner_id,
      enrolmentId: e.row.enrolment_id,
      courseId: e.row.course_id,
      categories: e.ended,
      reason: e.reason,
      occurredAt: toldAt,
    }));
    // The ledger's record, per recipient one batch with an entry per learner, all on one chain
    // (each chain's lock is held to commit: one, not many, so gated pages keep the others), then
    // the events (their lock last, held briefly).
    const byRecipient = new Map<
      string,
      Map<string, { items: DisclosureItem[]; reason: AccessEndedReason; eventIds: string[] }>
    >();
    endings.forEach((e, i) => {
      const perLearner = byRecipient.get(e.row.recipient_id) ?? new Map();
      byRecipient.set(e.row.recipient_id, perLearner);
      const entry = perLearner.get(e.row.learner_id) ?? {
        items: [],
        reason: e.reason,
        eventIds: [],
      };
      perLearner.set(e.row.learner_id, entry);
      const told = e.ended.flatMap((category) => {
        const grant = e.row.grants[category];
        return grant ? [{ category, grant }] : [];
      });
      entry.items.push(itemOf(e.row.enrolment_id, e.row.course_id, told));
      entry.eventIds.push(events[i].id);
      if (entry.reason !== e.reason) entry.reason = 'NOT_SHARED';
    });
    const disclosedAt = toldAt.toISOString();
    const chain = randomInt(this.config.ledger.chains);
    const entryIds: string[] = [];
    const told: [string, string][] = [];
    for (const [recipientId, perLearner] of byRecipient) {
      const request: LedgerRequestFacts = {
        disclosedAt,
        requestId: `access-ended:${[...perLearner.values()][0].eventIds[0]}`,
        operationName: null,
        recipientId,
        actorSubject: ACCESS_ENDED_ACTOR,
        apiClientId: null,
      };
      const entries = [...perLearner].map(([learnerId, { items, reason }]) => ledgerEntry(request, 'ACCESS_ENDED', learnerId, { reason, items }, toldAt.getTime()));
      await this.ledger.append(qr, { ...request, entries }, 'ACCESS_ENDED', chain);
      entryIds.push(...entries.map((e) => e.id));
      for (const learnerId of perLearner.keys()) told.push([recipientId, learnerId]);
    }
    // The ledger keeps the record; an erased learner gets no inbox row (nothing more is written
    // about them, and there is no address to email).
    await qr.query(`DELETE FROM notifications n USING learners l WHERE n.disclosure_id = ANY($1::uuid[]) AND l.id = n.learner_id AND l.erased_at IS NOT NULL`, [entryIds]);
    // What an erasure recorded as to be told (docs/retention.md) is now told.
    await qr.query(
      `UPDATE recipient_notices n SET sent_at = now() FROM unnest($1::uuid[], $2::uuid[]) AS u(recipient_id, learner_id)
        WHERE n.recipient_id = u.recipient_id AND n.learner_id = u.learner_id AND n.sent_at IS NULL`,
      [told.map((t) => t[0]), told.map((t) => t[1])],
    );
    await writeEvents(qr, events);
  }

  /** Runs `fn` in a transaction holding the lock, or returns 0 at once when another process holds it. */
  private async locked(lock: number, fn: (qr: QueryRunner) => Promise<number>): Promise<number> {
    const qr = this.dataSource.createQueryRunner();
    await qr.connect();
    try {
      await qr.startTransaction();
      const [{ got }] = await qr.query(`SELECT pg_try_advisory_xact_lock(${lock}) AS got`);
      const n = got ? await fn(qr) : 0;
      await qr.commitTransaction();
      return n;
    } catch (e) {
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      throw e;
    } finally {
      await qr.release();
    }
  }
}
