/**
 * The four legal grounds under which learner data may go to an employer or broker (GDPR Art. 6).
 * The order is the tie-break when several agreements cover the same field (DESIGN §4): the one
 * recorded in the ledger is the first in this list, then the oldest.
 */
export const SHARING_BASES = ['PROCESSOR', 'STUDY_CONTRACT', 'LEGITIMATE_INTEREST', 'CONSENT'] as const;
export type SharingBasis = (typeof SHARING_BASES)[number];

export const BASIS_RANK: Record<SharingBasis, number> = { PROCESSOR: 0, STUDY_CONTRACT: 1, LEGITIMATE_INTEREST: 2, CONSENT: 3 };

/**
 * Data minimisation: a legitimate interest only justifies knowing that an employee is enrolled,
 * has completed and holds a certificate — not progress, time spent or scores (DESIGN §4).
 */
export const LEGITIMATE_INTEREST_CATEGORIES = ['ENROLMENT_STATUS', 'COMPLETION', 'CERTIFICATES'] as const;
