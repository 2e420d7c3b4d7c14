import type { DisclosureCategory } from '../../common/disclosure-category';
import type { AccessEndedReason, EventType } from '../event-types';

/** An event as stored, in the columns a payload is made of. */
export interface PayloadEvent {
  id: string;
  type: EventType;
  learner_id: string | null;
  enrolment_id: string | null;
  course_id: string | null;
  categories: DisclosureCategory[];
  reason: AccessEndedReason | null;
  about_endpoint_id: string | null;
  occurred_at: Date;
  created_at: Date;
}

/**
 * The body of a delivery, in the Standard Webhooks shape `{ type, timestamp, data }`: ids,
 * categories and times only, never a value the gate decides on (docs/events.md, "Payloads").
 * The same for every attempt, so a receiver may deduplicate on `webhook-id` (= `data.id`).
 */
export function webhookPayload(e: PayloadEvent): string {
  const data: Record<string, unknown> = { id: e.id };
  if (e.learner_id) data.learnerId = e.learner_id;
  if (e.enrolment_id) data.enrolmentId = e.enrolment_id;
  if (e.course_id) data.courseId = e.course_id;
  if (e.categories.length) data.categories = e.categories;
  if (e.reason) data.reason = e.reason;
  if (e.about_endpoint_id) data.endpointId = e.about_endpoint_id;
  data.occurredAt = new Date(e.occurred_at).toISOString();
  return JSON.stringify({ type: e.type, timestamp: new Date(e.created_at).toISOString(), data });
}
