import { enumOf } from '../common/graphql/enum-of';

export const ENROLMENT_STATUSES = ['ENROLLED', 'IN_PROGRESS', 'COMPLETED', 'WITHDRAWN'] as const;
export type EnrolmentStatus = (typeof ENROLMENT_STATUSES)[number];

export const EnrolmentStatusEnum = enumOf(ENROLMENT_STATUSES, 'EnrolmentStatus');
