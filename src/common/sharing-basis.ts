import { enumOf } from './graphql/enum-of';

/**
 * The four legal grounds under which learner data may go to an employer or broker (GDPR Art. 6).
 * The order is the tie-break when several agreements cover the same field: the one recorded in
 * the ledger is the first in this list, then the oldest (docs/sharing-rules.md rule 9). What each
 * basis allows is the table in `sharing/agreements/basis-rules.ts`; this file holds only the
 * names, because the outbox and the ledger (below the sharing layer) speak of bases too.
 */
export const SHARING_BASES = ['PROCESSOR', 'STUDY_CONTRACT', 'LEGITIMATE_INTEREST', 'CONSENT'] as const;
export type SharingBasis = (typeof SHARING_BASES)[number];

export const SharingBasisEnum = enumOf(SHARING_BASES, 'SharingBasis', 'Legal ground for sharing (GDPR Art. 6), in tie-break order.');
