import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DISCLOSURE_CATEGORIES, type DisclosureCategory } from '../common/disclosure-category';
import { uuid7 } from '../common/uuid7';
import type { EnrolmentEntity } from '../enrolments/enrolment.entity';
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
    // Several changes of one enrolment in a batch are one event: "look again at these categories".
    const merged = new Map<
      string,
      { learnerId: string; created: boolean; categories: Set<DisclosureCategory>; at: Date }
    >();
    for (const c of changes) {
      const m = merged.get(c.enrolment_id) ?? {
        learnerId: c.learner_id,
        created: false,
        categories: new Set(),
        at: c.changed_at,
      };
      m.created ||= c.created;
      for (const k of c.categories) if (KNOWN.has(k)) m.categories.add(k as DisclosureCategory);
      if (c.changed_at > m.at) m.at = c.changed_at;
      merged.set(c.enrolment_id, m);
    }
    const { visible, facts } = await this.loader.forEvents([
      ...new Set(changes.map((c) => c.learner_id)),
    ]);
    const rules = new SharingRules(facts, 'RECIPIENT');
    const enrolments = new Map((facts.enrolments as EnrolmentEntity[]).map((e) => [e.id, e]));
    const recipientsOf = new Map<string, (typeof visible)[number]['recipient'][]>();
    for (const v of visible)
      recipientsOf.set(v.learnerId, [...(recipientsOf.get(v.learnerId) ?? []), v.recipient]);
    const events: NewEvent[] = [];
    for (const [enrolmentId, change] of merged) {
      const enrolment = enrolments.get(enrolmentId);
      // Deleted since (retention, erasure): nothing left to look at.
      if (!enrolment) continue;
      for (const recipient of recipientsOf.get(change.learnerId) ?? []) {
        const shared = DISCLOSURE_CATEGORIES.filter(
          (c) => change.categories.has(c) && rules.decide(recipient, enrolment, c).allowed,
        );
        if (shared.length === 0) continue;
        events.push({
          id: uuid7(),
          recipientId: recipient.id,
          type: enrolmentEventType(change.created, shared, enrolment.status === 'COMPLETED'),
          learnerId: change.learnerId,
          enrolmentId,
          courseId: enrolment.courseId,
          categories: shared,
          occurredAt: change.at,
        });
      }
    }
    return events;
  }
}
