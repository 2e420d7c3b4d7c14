import { enumOf } from '../common/graphql/enum-of';

/** The statuses an enrolment is stored with. */
export const ENROLMENT_STATUSES = ['ENROLLED', 'IN_PROGRESS', 'COMPLETED', 'WITHDRAWN'] as const;
export type EnrolmentStatus = (typeof ENROLMENT_STATUSES)[number];

/**
 * The statuses the API can show and filter by: the stored ones, and STARTED — what an employer or
 * broker reads for IN_PROGRESS and COMPLETED alike when COMPLETION is not shared with it, since
 * COMPLETED would reveal completion and IN_PROGRESS its absence (docs/sharing-rules.md rule 16).
 * STARTED is never stored: a write that names it is refused.
 */
export const ENROLMENT_STATUS_VIEWS = [...ENROLMENT_STATUSES, 'STARTED'] as const;
export type EnrolmentStatusView = (typeof ENROLMENT_STATUS_VIEWS)[number];

export const EnrolmentStatusEnum = enumOf(ENROLMENT_STATUS_VIEWS, 'EnrolmentStatus', 'STARTED: in progress or completed, for a recipient that may not know which.');

/** IN_PROGRESS and COMPLETED both read STARTED; the others are as they are. */
export function generalisedStatus(status: EnrolmentStatus): EnrolmentStatusView {
  return status === 'IN_PROGRESS' || status === 'COMPLETED' ? 'STARTED' : status;
}
