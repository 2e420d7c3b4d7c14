export const ENROLMENT_STATUSES = ['ENROLLED', 'IN_PROGRESS', 'COMPLETED', 'WITHDRAWN'] as const;
export type EnrolmentStatus = (typeof ENROLMENT_STATUSES)[number];
