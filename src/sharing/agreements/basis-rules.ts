import type { ActorKind } from '../../auth/actor';
import type { DisclosureCategory } from '../../common/disclosure-category';
import { SHARING_BASES, type SharingBasis } from '../../common/sharing-basis';
import type { NotificationKind } from '../../outbox/notification.entity';

/**
 * What one legal basis allows, as data. Everything that differs between the four bases is a
 * column here, read by the agreement service (who may make one, its scope and categories, who is
 * informed), the facts statement (which bases make a learner visible) and the rules (which
 * conditions stop it). A new basis is a name in `common/sharing-basis.ts` plus a row below; the
 * compiler then asks for nothing else, because every reader goes through this table.
 * The rules in words: docs/sharing-rules.md rules 3, 8 and 10.
 */
export interface BasisRule {
  /** Who records an agreement of this basis, and may then change or revoke it. */
  madeBy: readonly ActorKind[];
  /**
   * The learner's own act (consent): only the learner ends it, by withdrawing; nobody else may
   * change or revoke it, since it is kept as proof of what the learner agreed to.
   */
  learnersOwnAct: boolean;
  /** Who may be its recipient. Only a learner's own act may name a broker (docs rule 10). */
  recipients: readonly ('EMPLOYER' | 'BROKER')[];
  /** EMPLOYEES: every employee of the recipient, no learner named. ONE_LEARNER: names one learner. */
  scope: 'EMPLOYEES' | 'ONE_LEARNER';
  /** The categories it may cover at all (null: any). */
  categories: readonly DisclosureCategory[] | null;
  /** Covers only enrolments the recipient commissioned (sponsor): a processor acts on instructions. */
  sponsoredOnly: boolean;
  /** Needs an employment with the recipient that is active today. */
  needsActiveEmployment: boolean;
  /** An objection against the recipient stops it for that learner (GDPR Art. 21). */
  stoppedByObjection: boolean;
  /** While in force, its recipient may see the learner at all (identity fields), employed or not. */
  makesLearnerVisible: boolean;
  /** Whom the learner is told about when it is recorded, and with which notification (GDPR Art. 13/14). */
  informs: { who: 'THE_LEARNER' | 'CURRENT_EMPLOYEES'; kind: Exclude<NotificationKind, 'DISCLOSURE'> } | null;
  /** A broker with a VIEW_RESULTS mandate from the recipient reads through agreements of this basis (docs rule 10, route a). */
  reachesMandatedBroker: boolean;
}

/**
 * Data minimisation: a legitimate interest only justifies knowing that an employee is enrolled,
 * has completed and holds a certificate — not progress, time spent or scores.
 */
const LEGITIMATE_INTEREST_CATEGORIES = ['ENROLMENT_STATUS', 'COMPLETION', 'CERTIFICATES'] as const satisfies readonly DisclosureCategory[];

export const BASIS_RULES: Record<SharingBasis, BasisRule> = {
  // We process for the employer under a processing agreement: only what it commissioned, only
  // while the person works there.
  PROCESSOR: {
    madeBy: ['PROVIDER_STAFF'],
    learnersOwnAct: false,
    recipients: ['EMPLOYER'],
    scope: 'EMPLOYEES',
    categories: null,
    sponsoredOnly: true,
    needsActiveEmployment: true,
    stoppedByObjection: false,
    makesLearnerVisible: false,
    informs: null,
    reachesMandatedBroker: true,
  },
  // A contract between learner and employer (repayment clauses): survives the end of employment
  // until its validUntil.
  STUDY_CONTRACT: {
    madeBy: ['PROVIDER_STAFF', 'EMPLOYER_CLIENT'],
    learnersOwnAct: false,
    recipients: ['EMPLOYER'],
    scope: 'ONE_LEARNER',
    categories: null,
    sponsoredOnly: false,
    needsActiveEmployment: false,
    stoppedByObjection: false,
    makesLearnerVisible: true,
    informs: { who: 'THE_LEARNER', kind: 'AGREEMENT_COVERS_YOU' },
    reachesMandatedBroker: true,
  },
  // A balancing test, referenced: every employee, the least data, and the learner may object.
  LEGITIMATE_INTEREST: {
    madeBy: ['PROVIDER_STAFF'],
    learnersOwnAct: false,
    recipients: ['EMPLOYER'],
    scope: 'EMPLOYEES',
    categories: LEGITIMATE_INTEREST_CATEGORIES,
    sponsoredOnly: false,
    needsActiveEmployment: true,
    stoppedByObjection: true,
    makesLearnerVisible: false,
    informs: { who: 'CURRENT_EMPLOYEES', kind: 'AGREEMENT_COVERS_YOU' },
    reachesMandatedBroker: true,
  },
  // The learner's own choice of recipient, categories and courses; withdrawable at any time.
  CONSENT: {
    madeBy: ['LEARNER'],
    learnersOwnAct: true,
    recipients: ['EMPLOYER', 'BROKER'],
    scope: 'ONE_LEARNER',
    categories: null,
    sponsoredOnly: false,
    needsActiveEmployment: false,
    stoppedByObjection: false,
    makesLearnerVisible: true,
    informs: { who: 'THE_LEARNER', kind: 'CONSENT_RECORDED' },
    // A consent reaches only the recipient it names: not the broker of an employer it names.
    reachesMandatedBroker: false,
  },
};

/** Tie-break rank: the order of SHARING_BASES (docs rule 9). */
export const BASIS_RANK = Object.fromEntries(SHARING_BASES.map((b, i) => [b, i])) as Record<SharingBasis, number>;

/** The bases whose rule has `flag` set, in rank order (for SQL `IN (…)` lists and route filters). */
export function basesWhere(test: (rule: BasisRule) => boolean): SharingBasis[] {
  return SHARING_BASES.filter((b) => test(BASIS_RULES[b]));
}

/** `'A', 'B'` for an SQL IN list: the names are our own constants, never input. */
export function sqlBasisList(bases: readonly SharingBasis[]): string {
  return bases.map((b) => `'${b}'`).join(', ');
}
