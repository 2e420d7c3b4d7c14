import { enumOf } from './graphql/enum-of';

/**
 * Every field of learner data that leaves the API to an employer or broker belongs to exactly one
 * category (docs/sharing-rules.md, "What is gated"). Agreements, mandates and the ledger speak in these.
 */
export const DISCLOSURE_CATEGORIES = [
  'ENROLMENT_STATUS',
  'PROGRESS',
  'TIME_SPENT',
  'COMPLETION',
  'ASSESSMENT_RESULTS',
  'CERTIFICATES',
  'ACCREDITATION',
] as const;
export type DisclosureCategory = (typeof DISCLOSURE_CATEGORIES)[number];

export const DisclosureCategoryEnum = enumOf(DISCLOSURE_CATEGORIES, 'DisclosureCategory', 'Category of learner data (docs/sharing-rules.md).');
