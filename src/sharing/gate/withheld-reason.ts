/**
 * Why a field is withheld. A recipient never sees the learner's own choices (withdrawn consent,
 * objection, restriction, erasure): those read NOT_SHARED to an employer or broker, so the
 * employment relation carries no signal to retaliate on (docs/sharing-rules.md rule 11). The learner and
 * provider staff see the exact reason.
 */
export const WITHHELD_REASONS = [
  'NO_AGREEMENT',
  'AGREEMENT_NOT_YET_VALID',
  'AGREEMENT_EXPIRED',
  'AGREEMENT_REVOKED',
  'CONSENT_WITHDRAWN',
  'OBJECTION',
  'RESTRICTED',
  'ERASED',
  'EMPLOYMENT_ENDED',
  'NO_EMPLOYMENT',
  'NOT_SPONSOR',
  'NO_MANDATE',
  'NOT_SHARED',
] as const;
export type WithheldReason = (typeof WITHHELD_REASONS)[number];

/** The learner's own choices, masked for recipients. */
export const LEARNER_CHOICE_REASONS: ReadonlySet<WithheldReason> = new Set(['CONSENT_WITHDRAWN', 'OBJECTION', 'RESTRICTED', 'ERASED']);

export function maskForRecipient(reason: WithheldReason): WithheldReason {
  return LEARNER_CHOICE_REASONS.has(reason) ? 'NOT_SHARED' : reason;
}
