import type { DisclosureGrant } from '../../disclosures/disclosure-item';
import type { WithheldReason } from '../../sharing/gate/withheld-reason';
import type { AccessEndedReason } from '../event-types';

/**
 * The one reason a recipient is given for having to delete a category (docs/events.md, "Access
 * ended"), from the gate's reasons as the recipient may see them — already masked: the learner's
 * own choices read NOT_SHARED, a withdrawn consent reads as no agreement at all — and the grant
 * it last received the category under.
 *
 * With no agreement left that speaks of it, the grant tells what ended: a mandate (the broker
 * read on an employer's behalf), the recipient's own agreement (revoked, narrowed, gone), or — a
 * consent — the learner's choice, which stays NOT_SHARED.
 */
export function accessEndedReason(
  recipientReasons: readonly WithheldReason[],
  grant: Pick<DisclosureGrant, 'basis' | 'onBehalfOf'> | undefined,
): AccessEndedReason {
  if (recipientReasons.some((r) => r === 'AGREEMENT_REVOKED' || r === 'AGREEMENT_EXPIRED'))
    return 'AGREEMENT_ENDED';
  if (recipientReasons.some((r) => r === 'EMPLOYMENT_ENDED' || r === 'NO_EMPLOYMENT'))
    return 'EMPLOYMENT_ENDED';
  if (recipientReasons.includes('NO_MANDATE')) return 'MANDATE_ENDED';
  if (recipientReasons.includes('NOT_SHARED') || !grant) return 'NOT_SHARED';
  if (grant.onBehalfOf) return 'MANDATE_ENDED';
  if (grant.basis === 'CONSENT') return 'NOT_SHARED';
  return 'AGREEMENT_ENDED';
}
