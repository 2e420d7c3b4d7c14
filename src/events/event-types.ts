import { registerEnumType } from '@nestjs/graphql';

/**
 * What an event says happened (docs/events.md, "Event types"). Every type but the endpoint's own
 * is about one enrolment and names the categories it concerns; the data itself is fetched through
 * the gated API.
 */
export const EVENT_TYPES = [
  'enrolment.created',
  'enrolment.changed',
  'enrolment.progress_changed',
  'enrolment.completed',
  'assessment_result.recorded',
  'certificate.issued',
  'access.ended',
  'webhook_endpoint.disabled',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** GraphQL names cannot hold dots: ENROLMENT_CREATED ⇄ enrolment.created. */
export const EventTypeEnum = Object.fromEntries(
  EVENT_TYPES.map((t) => [graphqlName(t), t]),
) as Record<string, EventType>;
registerEnumType(EventTypeEnum, {
  name: 'EventType',
  description:
    'An event type; on the wire (webhook payloads, the feed\'s `type`) it reads as the dotted name, e.g. ENROLMENT_COMPLETED is "enrolment.completed".',
});

export function graphqlName(t: EventType): string {
  return t.replace(/[.]/g, '_').toUpperCase();
}

/**
 * Why a recipient must delete what it received, as it may be told (docs/events.md, "Access
 * ended"). The learner's own choices (withdrawn consent, objection, restriction, erasure) read
 * NOT_SHARED, as everywhere else a recipient looks.
 */
export const ACCESS_ENDED_REASONS = [
  'NOT_SHARED',
  'AGREEMENT_ENDED',
  'EMPLOYMENT_ENDED',
  'MANDATE_ENDED',
] as const;
export type AccessEndedReason = (typeof ACCESS_ENDED_REASONS)[number];
export const AccessEndedReasonEnum = Object.fromEntries(
  ACCESS_ENDED_REASONS.map((r) => [r, r]),
) as Record<AccessEndedReason, AccessEndedReason>;
registerEnumType(AccessEndedReasonEnum, {
  name: 'AccessEndedReason',
  description:
    'Why a recipient must delete: NOT_SHARED (no longer shared with you), AGREEMENT_ENDED, EMPLOYMENT_ENDED, MANDATE_ENDED.',
});

/**
 * The type of an event about an enrolment, from the categories of the change that are shared
 * with its recipient — only those: an employer that does not see COMPLETION is never sent
 * "enrolment.completed", which would tell it what the gate withholds. `completed` (the row's
 * status) is only looked at when COMPLETION is among them.
 */
export function enrolmentEventType(
  created: boolean,
  shared: readonly string[],
  completed: boolean,
): EventType {
  // The creation is told only where the enrolment's status is shared (its existence and date).
  if (created && shared.includes('ENROLMENT_STATUS')) return 'enrolment.created';
  if (shared.includes('COMPLETION') && completed) return 'enrolment.completed';
  if (shared.includes('ASSESSMENT_RESULTS')) return 'assessment_result.recorded';
  if (shared.includes('CERTIFICATES') || shared.includes('ACCREDITATION'))
    return 'certificate.issued';
  if (shared.includes('PROGRESS') || shared.includes('TIME_SPENT'))
    return 'enrolment.progress_changed';
  return 'enrolment.changed';
}
