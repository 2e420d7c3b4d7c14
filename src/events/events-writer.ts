import type { QueryRunner } from 'typeorm';
import type { DisclosureCategory } from '../common/disclosure-category';
import { afterCommit } from '../common/database/after-commit';
import { eventsEmitted } from '../common/metrics';
import type { AccessEndedReason, EventType } from './event-types';

export interface NewEvent {
  id: string;
  recipientId: string;
  type: EventType;
  learnerId?: string | null;
  enrolmentId?: string | null;
  courseId?: string | null;
  categories?: DisclosureCategory[];
  reason?: AccessEndedReason | null;
  endpointId?: string | null;
  occurredAt: Date | string;
}

/** Every writer of events holds this transaction lock while it inserts (see `writeEvents`). */
const EVENTS_LOCK = 7340032;

/**
 * The one way events are written (docs/events.md): inside the caller's transaction, so an event
 * commits with what it reports, and with one delivery per enabled endpoint of its recipient
 * subscribed to its type — one statement each, whatever the number of events.
 *
 * Writers take one transaction lock first, so events commit in the order of their `position`:
 * a feed reader paging by position never passes an event that commits later with a lower one.
 * Writers are background jobs committing in batches; the lock costs them little.
 */
export async function writeEvents(qr: QueryRunner, events: NewEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  await qr.query(`SELECT pg_advisory_xact_lock(${EVENTS_LOCK})`);
  await qr.query(
    `INSERT INTO events (id, recipient_id, type, learner_id, enrolment_id, course_id, categories, reason, endpoint_id, occurred_at)
     SELECT u.id, u.recipient_id, u.type, u.learner_id, u.enrolment_id, u.course_id,
            coalesce((SELECT array_agg(c) FROM jsonb_array_elements_text(u.categories) c), '{}'), u.reason, u.endpoint_id, u.occurred_at
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::uuid[], $6::uuid[], $7::jsonb[], $8::text[], $9::uuid[], $10::timestamptz[])
            WITH ORDINALITY AS u(id, recipient_id, type, learner_id, enrolment_id, course_id, categories, reason, endpoint_id, occurred_at, ord)
      ORDER BY u.ord`,
    [
      events.map((e) => e.id),
      events.map((e) => e.recipientId),
      events.map((e) => e.type),
      events.map((e) => e.learnerId ?? null),
      events.map((e) => e.enrolmentId ?? null),
      events.map((e) => e.courseId ?? null),
      events.map((e) => JSON.stringify(e.categories ?? [])),
      events.map((e) => e.reason ?? null),
      events.map((e) => e.endpointId ?? null),
      events.map((e) =>
        typeof e.occurredAt === 'string' ? e.occurredAt : e.occurredAt.toISOString(),
      ),
    ],
  );
  await qr.query(
    `INSERT INTO webhook_deliveries (id, endpoint_id, event_id)
     SELECT gen_random_uuid(), w.id, e.id
       FROM events e JOIN webhook_endpoints w ON w.owner_id = e.recipient_id AND w.enabled AND e.type = ANY(w.event_types)
      WHERE e.id = ANY($1::uuid[])`,
    [events.map((e) => e.id)],
  );
  // Counted once they are in the feeds: a batch that rolls back (and is taken again) counts once.
  afterCommit(qr, () => {
    for (const e of events) eventsEmitted.inc({ type: e.type });
  });
  return events.length;
}
