import type { Lean } from '../common/database/json-rows';
import type { EnrolmentEntity } from '../enrolments/enrolment.entity';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DISCLOSURE_CATEGORIES, type DisclosureCategory } from '../common/disclosure-category';
import { uuid7 } from '../common/uuid7';
import type { GateFactsLoader } from '../sharing/gate/gate-facts.loader';
import { EVENTS_FACTS_LOADER } from './events-facts';
import { SharingRules } from '../sharing/gate/sharing-rules';
import { enrolmentEventType } from './event-types';
import { writeEvents, type NewEvent } from './events-writer';

interface ChangeRow {
  enrolment_id: string;
  learner_id: string;
  created: boolean;
  categories: string[];
  changed_at: Date;
}

const KNOWN = new Set<string>(DISCLOSURE_CATEGORIES);

/**
 * Turns enrolment changes into events (docs/events.md, "Thin, gated events"). One batch of
 * changes is one transaction: the changes are taken, the gate decides for every recipient that
 * can see each learner — facts loaded set-based, the same rules as a page, from the recipient's
 * perspective — and an event goes to a recipient only with the changed categories shared with
 * it at that moment, none if none is. Taking the changes and writing the events commit together,
 * so every change is emitted once; a crash leaves the batch for the next run.
 */
@Injectable()
export class EventEmitter {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(EVENTS_FACTS_LOADER) private readonly loader: GateFactsLoader,
  ) {}

  /** Emits one batch; returns how many changes it took (0: nothing to do). */
  async runOnce(batchSize: number): Promise<number> {
    const qr = this.dataSource.createQueryRunner();
    await qr.connect();
    try {
      await qr.startTransaction();
      const changes: ChangeRow[] = await qr.query(
        `WITH taken AS (
           DELETE FROM enrolment_changes WHERE id IN (SELECT id FROM enrolment_changes ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
           RETURNING enrolment_id, learner_id, created, categories, changed_at)
         SELECT * FROM taken`,
        [batchSize],
      );
      if (changes.length > 0) await writeEvents(qr, await this.decide(changes));
      await qr.commitTransaction();
      return changes.length;
    } catch (e) {
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      throw e;
    } finally {
      await qr.release();
    }
  }

  private async decide(changes: ChangeRow[]): Promise<NewEvent[]> {
    // Several changes of one enrolment in a batch become one event per recipient — "look again at
    // these categories" — but each recipient's event is made only of the changes it may see: its
    // time is the latest of those, and it reads "created" only if the creation (ENROLMENT_STATUS)
    // is shared with it. A change it may not see must not move its event's time or type.
    const byEnrolment = new Map<string, ChangeRow[]>();
    for (const c of changes) byEnrolment.set(c.enrolment_id, [...(byEnrolment.get(c.enrolment_id) ?? []), c]);
    const { visible, facts } = await this.loader.forEvents([...new Set(changes.map((c) => c.learner_id))]);
    const rules = new SharingRules(facts, 'RECIPIENT');
    const enrolments = new Map((facts.enrolments as Lean<EnrolmentEntity>[]).map((e) => [e.id, e]));
    const recipientsOf = new Map<string, (typeof visible)[number]['recipient'][]>();
    for (const v of visible) recipientsOf.set(v.learnerId, [...(recipientsOf.get(v.learnerId) ?? []), v.recipient]);
    const events: NewEvent[] = [];
    for (const [enrolmentId, rows] of byEnrolment) {
      const enrolment = enrolments.get(enrolmentId);
      // Deleted since (retention, erasure): nothing left to look at.
      if (!enrolment) continue;
      const changed = new Set(rows.flatMap((r) => r.categories.filter((k): k is DisclosureCategory => KNOWN.has(k))));
      for (const recipient of recipientsOf.get(enrolment.learnerId) ?? []) {
        const allowed = new Set(DISCLOSURE_CATEGORIES.filter((c) => changed.has(c) && rules.decide(recipient, enrolment, c).allowed));
        if (allowed.size === 0) continue;
        const seen = rows.filter((r) => r.categories.some((k) => allowed.has(k as DisclosureCategory)));
        const shared = DISCLOSURE_CATEGORIES.filter((c) => allowed.has(c));
        events.push({
          id: uuid7(),
          recipientId: recipient.id,
          type: enrolmentEventType(seen.some((r) => r.created), shared, enrolment.status === 'COMPLETED'),
          learnerId: enrolment.learnerId,
          enrolmentId,
          courseId: enrolment.courseId,
          categories: shared,
          occurredAt: seen.reduce((at, r) => (r.changed_at > at ? r.changed_at : at), seen[0].changed_at),
        });
      }
    }
    return events;
  }
}
