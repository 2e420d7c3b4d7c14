import type { WithheldReason } from '../../sharing/gate/withheld-reason';
import type { AccessEndedReason } from '../event-types';

/**
 * The one reason a recipient is given for having to delete, from the gate's reasons as the
 * recipient may see them (already masked: the learner's own choices read NOT_SHARED, a withdrawn
 * consent reads NO_AGREEMENT). Most telling first; anything else is NOT_SHARED.
 */
export function accessEndedReason(recipientReasons: readonly WithheldReason[]): AccessEndedReason {
  if (recipientReasons.some((r) => r === 'AGREEMENT_REVOKED' || r === 'AGREEMENT_EXPIRED'))
    return 'AGREEMENT_ENDED';
  if (recipientReasons.some((r) => r === 'EMPLOYMENT_ENDED' || r === 'NO_EMPLOYMENT'))
    return 'EMPLOYMENT_ENDED';
  if (recipientReasons.includes('NO_MANDATE')) return 'MANDATE_ENDED';
  return 'NOT_SHARED';
}
