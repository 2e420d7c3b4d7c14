import type { DisclosureCategory } from '../../common/disclosure-category';
import type { SharingBasis } from '../../common/sharing-basis';
import { windowAt } from '../../common/validity-window';
import { mandateInForce } from '../../organisations/mandate-in-force';
import { BASIS_RANK, BASIS_RULES, basesWhere } from '../agreements/basis-rules';
import type { FactAgreement, FactEnrolment, GateFacts } from './gate-facts';
import { maskForRecipient, type WithheldReason } from './withheld-reason';

/** Route a: the employer's agreements a mandated broker reads through. Route b: agreements that may name a broker. */
const VIA_MANDATE = new Set(basesWhere((r) => r.reachesMandatedBroker));
const NAMING_BROKERS = new Set(basesWhere((r) => r.recipients.includes('BROKER')));

export type Recipient = { kind: 'EMPLOYER' | 'BROKER'; id: string };

export type Decision =
  | {
      allowed: true;
      basis: SharingBasis;
      agreement: FactAgreement;
      /** The employer whose view a broker reads through a mandate (docs/sharing-rules.md rule 10, route a). */
      onBehalfOf: string | null;
    }
  | { allowed: false; reasons: WithheldReason[] };

/**
 * Whose eyes a decision is for. RECIPIENT: an employer or broker — the learner's own choices are
 * masked (an objection, a restriction, an erasure read NOT_SHARED) and a withdrawn consent is as
 * if it had never been given: it adds no reason at all (docs/sharing-rules.md rule 11). EXACT:
 * the learner and provider staff, who see every reason as it is.
 */
export type Perspective = 'RECIPIENT' | 'EXACT';

/**
 * The sharing rules (docs/sharing-rules.md rules 5–11) in one place, evaluated in memory over
 * facts loaded for a whole page. What differs between bases is read from BASIS_RULES. Deny by
 * default: anything not positively allowed by an agreement in force is withheld.
 *
 * Reasons come only from agreements whose scope includes the learner: an employee-wide agreement
 * speaks only of the recipient's employees (past, present or future); for anyone else it adds
 * nothing, so a recipient learns nothing about its agreements' state from a non-employee.
 */
export class SharingRules {
  /**
   * learner → employer → employments, and recipient → learner (or `*` for employee-scope
   * agreements) → agreements: maps of maps, not maps by a joined string, so that a lookup (a page
   * makes several per enrolment) makes no key.
   */
  private readonly employmentsByLearner = new Map<string, Map<string, GateFacts['employments']>>();
  private readonly agreementsByRecipient = new Map<string, Map<string, FactAgreement[]>>();
  /**
   * recipient → enrolment → its agreements in scope, ranked, with the reasons against each (see
   * rankedFor). Keyed by the objects, not a joined string: a page looks it up ~10,000 times.
   */
  private readonly rankedByRecipient = new Map<string, Map<FactEnrolment, Ranked>>();
  /**
   * Decisions are shared, not made anew for each of a page's ~10,000 (enrolment, category) pairs:
   * they live as long as the page, and fewer live objects make V8's young-generation collections
   * shorter (docs/benchmarks.md). Nobody changes a decision once made.
   */
  private readonly allowedBy = new Map<FactAgreement, Decision>();
  private readonly deniedFor = new Map<WithheldReason, Decision>();
  private readonly windows = new Map<FactAgreement, ReturnType<typeof windowAt>>();

  constructor(
    private readonly facts: GateFacts,
    private readonly perspective: Perspective = 'EXACT',
  ) {
    for (const e of facts.employments) push(this.employmentsByLearner, e.learnerId, e.employerId, e);
    for (const a of facts.agreements) push(this.agreementsByRecipient, a.recipientId, a.learnerId ?? '*', a);
    // Ranked once here; rankedFor merges a learner's own list into the employee-wide one.
    for (const byLearner of this.agreementsByRecipient.values()) for (const list of byLearner.values()) list.sort(compareAgreements);
  }

  decide(recipient: Recipient, enrolment: FactEnrolment, category: DisclosureCategory): Decision {
    return recipient.kind === 'EMPLOYER' ? this.employerView(recipient.id, enrolment, category) : this.brokerView(recipient.id, enrolment, category);
  }

  /** What an employer may see of one (learner, enrolment, category). */
  employerView(employerId: string, enrolment: FactEnrolment, category: DisclosureCategory): Decision {
    return this.bestOf(employerId, enrolment, category) ?? NO_AGREEMENT;
  }

  /**
   * A broker reads (a) through a mandate in force with VIEW_RESULTS and the category what the
   * mandating employer may see under the bases that reach a mandated broker, or (b) under its own
   * agreements of a basis that may name a broker (the learner's consent). The route whose
   * agreement ranks first wins. A mandate in force from an employer of the learner that gives
   * nothing for the category reads NO_MANDATE; with neither a mandate nor a consent, NO_AGREEMENT
   * (docs/sharing-rules.md rule 10).
   */
  brokerView(brokerId: string, enrolment: FactEnrolment, category: DisclosureCategory): Decision {
    const allowed: Extract<Decision, { allowed: true }>[] = [];
    const reasons: WithheldReason[] = [];
    for (const m of this.facts.mandates) {
      if (m.brokerId !== brokerId || !mandateInForce(m, this.facts.now)) continue;
      if (m.permissions.includes('VIEW_RESULTS') && m.categories.includes(category)) {
        const view = this.bestOf(m.employerId, enrolment, category, VIA_MANDATE);
        if (view?.allowed) allowed.push({ ...view, onBehalfOf: m.employerId });
        else if (view) reasons.push(...view.reasons);
      } else if (this.employmentsFor(enrolment, m.employerId).length > 0) {
        reasons.push('NO_MANDATE');
      }
    }
    const own = this.bestOf(brokerId, enrolment, category, NAMING_BROKERS);
    if (own?.allowed) allowed.push(own);
    else if (own) reasons.push(...own.reasons);
    if (allowed.length > 0) return allowed.sort((a, b) => compareAgreements(a.agreement, b.agreement))[0];
    return reasons.length ? { allowed: false, reasons: unique(reasons) } : NO_AGREEMENT;
  }

  /**
   * The recipient's agreements whose scope includes this learner and course (in force or not),
   * ranked, with the reasons against each. None of it depends on the category, and a page asks
   * for all seven categories of every enrolment: worked out once per (recipient, enrolment).
   */
  private rankedFor(recipientId: string, enrolment: FactEnrolment): Ranked {
    let byEnrolment = this.rankedByRecipient.get(recipientId);
    if (!byEnrolment) this.rankedByRecipient.set(recipientId, (byEnrolment = new Map()));
    let ranked = byEnrolment.get(enrolment);
    if (!ranked) {
      const employee = this.employmentsFor(enrolment, recipientId).length > 0;
      const byLearner = this.agreementsByRecipient.get(recipientId);
      const shared = (employee && byLearner?.get('*')) || NONE;
      const own = byLearner?.get(enrolment.learnerId) ?? NONE;
      const agreements = (own.length === 0 ? shared : shared.length === 0 ? own : mergeRanked(shared, own)).filter(
        (a) => (a.courseIds === null || a.courseIds.includes(enrolment.courseId)) && !this.invisible(a),
      );
      ranked = { agreements, reasons: agreements.map((a) => this.reasonsAgainst(a, enrolment, recipientId)) };
      byEnrolment.set(enrolment, ranked);
    }
    return ranked;
  }

  /** A withdrawn consent is, to its recipient, as if it had never been given (GDPR Art. 7(3)). */
  private invisible(a: FactAgreement): boolean {
    return this.perspective === 'RECIPIENT' && BASIS_RULES[a.basis].learnersOwnAct && this.windowOf(a).revoked;
  }

  private windowOf(a: FactAgreement): ReturnType<typeof windowAt> {
    let w = this.windows.get(a);
    if (!w) this.windows.set(a, (w = windowAt(a, this.facts.now)));
    return w;
  }

  /**
   * Of the agreements in scope naming this category (of the given bases, if any): the first
   * (basis order, then oldest) with no reason against it, or every reason; undefined if none.
   */
  private bestOf(recipientId: string, enrolment: FactEnrolment, category: DisclosureCategory, bases?: ReadonlySet<SharingBasis>): Decision | undefined {
    const { agreements, reasons } = this.rankedFor(recipientId, enrolment);
    // The reasons of the first agreement against; an array of all of them only from a second on.
    let first: WithheldReason[] | undefined;
    let against: WithheldReason[] | undefined;
    for (let i = 0; i < agreements.length; i++) {
      const a = agreements[i];
      if ((bases !== undefined && !bases.has(a.basis)) || !a.categories.includes(category)) continue;
      // What a basis may never cover (data minimisation) it does not cover, whatever a row says.
      const cover = BASIS_RULES[a.basis].categories;
      if (cover && !cover.includes(category)) continue;
      if (reasons[i].length === 0) {
        let allowed = this.allowedBy.get(a);
        if (!allowed) this.allowedBy.set(a, (allowed = { allowed: true, basis: a.basis, agreement: a, onBehalfOf: null }));
        return allowed;
      }
      if (!first) first = reasons[i];
      else (against ??= [...first]).push(...reasons[i]);
    }
    if (!first) return undefined;
    // One agreement's reasons are distinct already (reasonsAgainst).
    const distinct = against ? unique(against) : first;
    if (distinct.length > 1) return { allowed: false, reasons: distinct };
    let denied = this.deniedFor.get(distinct[0]);
    if (!denied) this.deniedFor.set(distinct[0], (denied = { allowed: false, reasons: distinct }));
    return denied;
  }

  /** Why this agreement does not allow disclosure now, as this perspective may see it; empty means it does. */
  reasonsAgainst(a: FactAgreement, enrolment: FactEnrolment, recipientId: string): WithheldReason[] {
    const learnerId = enrolment.learnerId;
    const rule = BASIS_RULES[a.basis];
    const reasons: WithheldReason[] = [];
    if (this.facts.learners.get(learnerId)?.erasedAt) reasons.push('ERASED');
    // Restriction of processing (GDPR Art. 18) stops every basis while it lasts.
    if (this.facts.restricted.has(learnerId)) reasons.push('RESTRICTED');
    const window = this.windowOf(a);
    if (window.revoked) reasons.push(rule.learnersOwnAct ? 'CONSENT_WITHDRAWN' : 'AGREEMENT_REVOKED');
    if (window.notYetValid) reasons.push('AGREEMENT_NOT_YET_VALID');
    if (window.expired) reasons.push('AGREEMENT_EXPIRED');
    // As processor we act for the employer only on what it commissioned.
    if (rule.sponsoredOnly && enrolment.sponsorEmployerId !== recipientId) reasons.push('NOT_SPONSOR');
    if (rule.needsActiveEmployment) reasons.push(...this.employmentReasons(enrolment, recipientId));
    // An objection stops the recipient's legitimate interest for this learner (GDPR Art. 21).
    if (rule.stoppedByObjection && this.facts.objections.get(learnerId)?.has(recipientId)) reasons.push('OBJECTION');
    if (reasons.length === 0) return NO_REASONS;
    return this.perspective === 'RECIPIENT' ? unique(reasons.map(maskForRecipient)) : reasons;
  }

  /**
   * The learner's employment records with this employer that count for this enrolment. A claim
   * not yet confirmed (employment.entity.ts) counts only for enrolments the employer commissioned:
   * it must not open the person's own courses to the employer's employee-wide agreements.
   */
  private employmentsFor(enrolment: FactEnrolment, employerId: string): GateFacts['employments'] {
    const records = this.employmentsByLearner.get(enrolment.learnerId)?.get(employerId) ?? NO_EMPLOYMENTS;
    return enrolment.sponsorEmployerId === employerId || !records.some((e) => e.claimedName) ? records : records.filter((e) => !e.claimedName);
  }

  /**
   * Employee-scope bases need an employment active today (start and end dates inclusive). Every
   * reason that applies: an ended employment and one not started yet give both.
   */
  private employmentReasons(enrolment: FactEnrolment, employerId: string): WithheldReason[] {
    const records = this.employmentsFor(enrolment, employerId);
    const today = this.facts.today;
    if (records.some((e) => e.startedOn <= today && (e.endedOn === null || today <= e.endedOn))) return NO_REASONS;
    const reasons: WithheldReason[] = [];
    if (records.some((e) => e.endedOn !== null && e.endedOn < today)) reasons.push('EMPLOYMENT_ENDED');
    if (records.length === 0 || records.some((e) => e.startedOn > today)) reasons.push('NO_EMPLOYMENT');
    return reasons;
  }
}

const NONE: FactAgreement[] = [];
const NO_EMPLOYMENTS: GateFacts['employments'] = [];
const NO_REASONS: WithheldReason[] = Object.freeze([]) as unknown as WithheldReason[];
/** Shared by every (enrolment, category) no agreement speaks of. */
export const NO_AGREEMENT: Decision = Object.freeze({ allowed: false, reasons: Object.freeze(['NO_AGREEMENT']) as unknown as WithheldReason[] });

/** Two lists ranked by compareAgreements, as one ranked list. */
function mergeRanked(a: FactAgreement[], b: FactAgreement[]): FactAgreement[] {
  const out: FactAgreement[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) out.push(compareAgreements(a[i], b[j]) <= 0 ? a[i++] : b[j++]);
  while (i < a.length) out.push(a[i++]);
  while (j < b.length) out.push(b[j++]);
  return out;
}

interface Ranked {
  agreements: FactAgreement[];
  reasons: WithheldReason[][];
}

export function compareAgreements(a: FactAgreement, b: FactAgreement): number {
  return BASIS_RANK[a.basis] - BASIS_RANK[b.basis] || a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function push<T>(map: Map<string, Map<string, T[]>>, outer: string, inner: string, value: T): void {
  let byInner = map.get(outer);
  if (!byInner) map.set(outer, (byInner = new Map()));
  const list = byInner.get(inner);
  if (list) list.push(value);
  else byInner.set(inner, [value]);
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}
