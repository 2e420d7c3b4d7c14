/**
 * An independent, deliberately simple model of who may see what (docs/sharing-rules.md), used as the
 * oracle of the gate's property test (test/e2e/gate-property.e2e-spec.ts).
 *
 * Written from the spec, NOT from src/sharing: it shares no code with the implementation under test
 * (not even its constants) and favours obviousness over speed — every decision is a linear scan over
 * plain facts. If it ever disagrees with the API, first re-read docs/sharing-rules.md against the function
 * below that made the decision; each one cites the rule it encodes.
 */

/** The seven disclosure categories (docs/sharing-rules.md, "What is gated"). */
export const CATEGORIES = ['ENROLMENT_STATUS', 'PROGRESS', 'TIME_SPENT', 'COMPLETION', 'ASSESSMENT_RESULTS', 'CERTIFICATES', 'ACCREDITATION'] as const;
export type Category = (typeof CATEGORIES)[number];

/** The fields of the GraphQL `Enrolment` type in each category (docs/sharing-rules.md, "What is gated"). */
export const ENROLMENT_FIELDS: Record<Category, readonly string[]> = {
  ENROLMENT_STATUS: ['status', 'enrolledAt', 'startedAt'],
  PROGRESS: ['progressPercent', 'lastActivityAt'],
  TIME_SPENT: ['timeSpentMinutes'],
  COMPLETION: ['completedAt', 'completed'],
  ASSESSMENT_RESULTS: ['assessmentResults'],
  CERTIFICATES: ['certificates'],
  ACCREDITATION: ['accreditationPointsEarned'],
};

/** The learner's own choices; a recipient must only ever see them as NOT_SHARED (docs/sharing-rules.md rule 11). */
export const LEARNER_CHOICE_REASONS: readonly string[] = ['CONSENT_WITHDRAWN', 'OBJECTION', 'RESTRICTED', 'ERASED'];

/** Data minimisation for LEGITIMATE_INTEREST (docs/sharing-rules.md rule 8). */
export const LEGITIMATE_INTEREST_CATEGORIES: readonly Category[] = ['ENROLMENT_STATUS', 'COMPLETION', 'CERTIFICATES'];

export type Basis = 'PROCESSOR' | 'LEGITIMATE_INTEREST' | 'STUDY_CONTRACT' | 'CONSENT';

export interface OracleLearner {
  id: string;
  erasedAt: Date | null;
}
export interface OracleEmployment {
  learnerId: string;
  employerId: string;
  /** Calendar dates YYYY-MM-DD (Europe/Amsterdam); endedOn is the last day employed. */
  startedOn: string;
  endedOn: string | null;
  employeeNumber?: string;
}
export interface OracleEnrolment {
  id: string;
  learnerId: string;
  courseId: string;
  sponsorEmployerId: string | null;
  enrolledById: string;
}
export interface OracleAgreement {
  id: string;
  agreementId: string;
  version: number;
  recipientId: string;
  basis: Basis;
  categories: readonly Category[];
  learnerId: string | null;
  courseIds: readonly string[] | null;
  validFrom: Date;
  validUntil: Date | null;
  revokedAt: Date | null;
  supersededAt: Date | null;
}
export interface OracleMandate {
  id: string;
  brokerId: string;
  employerId: string;
  validFrom: Date;
  validUntil: Date | null;
  permissions: readonly ('ENROL' | 'VIEW_RESULTS')[];
  categories: readonly Category[];
  revokedAt: Date | null;
}
export interface OracleObjection {
  learnerId: string;
  recipientId: string;
  objectedAt: Date;
  liftedAt: Date | null;
}
export interface OracleRestriction {
  learnerId: string;
  requestedAt: Date;
  liftedAt: Date | null;
}

/** Everything the oracle knows, as of one request. */
export interface OracleFacts {
  /** The database clock at the request. */
  now: Date;
  /** Today's calendar date in Europe/Amsterdam at the request (YYYY-MM-DD). */
  today: string;
  learners: OracleLearner[];
  employments: OracleEmployment[];
  enrolments: OracleEnrolment[];
  agreements: OracleAgreement[];
  mandates: OracleMandate[];
  objections: OracleObjection[];
  restrictions: OracleRestriction[];
}

export interface OracleRecipient {
  kind: 'EMPLOYER' | 'BROKER';
  id: string;
}

// ---------------------------------------------------------------------------------------------
// Time (docs/sharing-rules.md rules 5 and 6): windows are half-open, [validFrom, validUntil); a revocation,
// withdrawal, objection, erasure or restriction takes effect at its own timestamp (at <= now); a
// lifted restriction (or objection) stops at the lift.
// ---------------------------------------------------------------------------------------------

function inWindow(now: Date, from: Date, until: Date | null): boolean {
  return from.getTime() <= now.getTime() && (until === null || now.getTime() < until.getTime());
}

function hasHappened(now: Date, at: Date | null): boolean {
  return at !== null && at.getTime() <= now.getTime();
}

/** A record that starts at `from` and stops at `liftedAt` (restriction, objection). */
function activeBetween(now: Date, from: Date, liftedAt: Date | null): boolean {
  return hasHappened(now, from) && !hasHappened(now, liftedAt);
}

/** Employment active today: startedOn <= today <= endedOn, both inclusive, calendar dates (docs/sharing-rules.md rule 6). */
export function employmentActive(f: OracleFacts, learnerId: string, employerId: string): boolean {
  return f.employments.some(
    (e) => e.learnerId === learnerId && e.employerId === employerId && e.startedOn <= f.today && (e.endedOn === null || f.today <= e.endedOn),
  );
}

export function isErased(f: OracleFacts, learnerId: string): boolean {
  return hasHappened(f.now, f.learners.find((l) => l.id === learnerId)?.erasedAt ?? null);
}

export function isRestricted(f: OracleFacts, learnerId: string): boolean {
  return f.restrictions.some((r) => r.learnerId === learnerId && activeBetween(f.now, r.requestedAt, r.liftedAt));
}

/** An objection is against the recipient's legitimate interest as such (docs/sharing-rules.md rule 8). */
export function hasObjected(f: OracleFacts, learnerId: string, recipientId: string): boolean {
  return f.objections.some((o) => o.learnerId === learnerId && o.recipientId === recipientId && activeBetween(f.now, o.objectedAt, o.liftedAt));
}

/**
 * The agreement version itself is current: inside its window, not revoked, not replaced by a newer
 * version. (Learner-level conditions — restriction, erasure — are checked separately.)
 */
export function versionCurrent(f: OracleFacts, a: OracleAgreement): boolean {
  return inWindow(f.now, a.validFrom, a.validUntil) && !hasHappened(f.now, a.revokedAt) && !hasHappened(f.now, a.supersededAt);
}

export function mandateInForce(f: OracleFacts, m: OracleMandate): boolean {
  return inWindow(f.now, m.validFrom, m.validUntil) && !hasHappened(f.now, m.revokedAt);
}

function enrolmentOf(f: OracleFacts, enrolmentId: string): OracleEnrolment {
  const e = f.enrolments.find((x) => x.id === enrolmentId);
  if (!e) throw new Error(`oracle: unknown enrolment ${enrolmentId}`);
  return e;
}

/**
 * The individual conditions of a decision. `allows(..., ignore)` decides as if one of them did not
 * exist; the property test uses it only to measure which rules its random cases actually exercised
 * (a condition "bites" when ignoring it would flip a withheld field to allowed).
 */
export const CONDITIONS = [
  'learnerScope',
  'courseScope',
  'window',
  'revoked',
  'superseded',
  'restriction',
  'erasure',
  'sponsor',
  'employment',
  'objection',
  'mandateInForce',
  'viewResults',
  'mandateCategory',
] as const;
export type Condition = (typeof CONDITIONS)[number];

/**
 * Does this one agreement version allow (its recipient, enrolment, category) now? docs/sharing-rules.md rules 5–8: the
 * common conditions, the scope, and the extra conditions of its basis.
 */
export function agreementAllows(f: OracleFacts, a: OracleAgreement, e: OracleEnrolment, category: Category, ignore?: Condition): boolean {
  const check = (c: Condition, ok: boolean) => ok || ignore === c;
  if (!a.categories.includes(category)) return false;
  if (!check('learnerScope', a.learnerId === null || a.learnerId === e.learnerId)) return false;
  if (!check('courseScope', a.courseIds === null || a.courseIds.includes(e.courseId))) return false;
  if (!check('window', inWindow(f.now, a.validFrom, a.validUntil))) return false;
  if (!check('revoked', !hasHappened(f.now, a.revokedAt))) return false;
  if (!check('superseded', !hasHappened(f.now, a.supersededAt))) return false;
  if (!check('restriction', !isRestricted(f, e.learnerId))) return false;
  if (!check('erasure', !isErased(f, e.learnerId))) return false;
  switch (a.basis) {
    case 'PROCESSOR':
      // Only enrolments whose sponsor is the recipient; employment active.
      return check('sponsor', e.sponsorEmployerId === a.recipientId) && check('employment', employmentActive(f, e.learnerId, a.recipientId));
    case 'LEGITIMATE_INTEREST':
      // Employment active; no objection of the learner against this recipient; minimised categories.
      return (
        LEGITIMATE_INTEREST_CATEGORIES.includes(category) &&
        check('employment', employmentActive(f, e.learnerId, a.recipientId)) &&
        check('objection', !hasObjected(f, e.learnerId, a.recipientId))
      );
    case 'STUDY_CONTRACT':
    case 'CONSENT':
      // No employment needed.
      return true;
  }
}

/** What an employer may see: any agreement of its own in force covers the field (of the given bases, if any). */
export function employerAllows(f: OracleFacts, employerId: string, enrolmentId: string, category: Category, ignore?: Condition, bases?: readonly Basis[]): boolean {
  const e = enrolmentOf(f, enrolmentId);
  return f.agreements.some((a) => a.recipientId === employerId && (!bases || bases.includes(a.basis)) && agreementAllows(f, a, e, category, ignore));
}

/** The employer's bases a mandated broker reads through: a consent reaches only the recipient it names. */
const MANDATE_BASES: readonly Basis[] = ['PROCESSOR', 'STUDY_CONTRACT', 'LEGITIMATE_INTEREST'];

/**
 * What a broker may see (docs/sharing-rules.md rule 10): (a) through a mandate in force with VIEW_RESULTS and
 * the category, exactly what the mandating employer could see; or (b) under the learner's CONSENT
 * naming the broker. Nothing else: an agreement of another basis naming a broker gives it nothing.
 */
export function brokerAllows(f: OracleFacts, brokerId: string, enrolmentId: string, category: Category, ignore?: Condition): boolean {
  const e = enrolmentOf(f, enrolmentId);
  const check = (c: Condition, ok: boolean) => ok || ignore === c;
  const viaMandate = f.mandates.some(
    (m) =>
      m.brokerId === brokerId &&
      check('mandateInForce', mandateInForce(f, m)) &&
      check('viewResults', m.permissions.includes('VIEW_RESULTS')) &&
      check('mandateCategory', m.categories.includes(category)) &&
      employerAllows(f, m.employerId, enrolmentId, category, ignore, MANDATE_BASES),
  );
  const viaConsent = f.agreements.some((a) => a.recipientId === brokerId && a.basis === 'CONSENT' && agreementAllows(f, a, e, category, ignore));
  return viaMandate || viaConsent;
}

export function allows(f: OracleFacts, r: OracleRecipient, enrolmentId: string, category: Category, ignore?: Condition): boolean {
  return r.kind === 'EMPLOYER' ? employerAllows(f, r.id, enrolmentId, category, ignore) : brokerAllows(f, r.id, enrolmentId, category, ignore);
}

export interface Visibility {
  visible: boolean;
  /** Kept for the property test's statistics: the rules now leave no room here (always false). */
  ambiguous: boolean;
}

/**
 * Identity visibility (docs/sharing-rules.md rules 3 and 7): an employer with any employment record
 * (past, present or future); a broker that enrolled the learner under a mandate in force (its
 * enrolment's sponsor mandated it); any recipient of a STUDY_CONTRACT or CONSENT agreement in force
 * for the learner — and "in force" includes the common conditions, so a restriction or an erasure
 * ends the visibility such an agreement gives.
 */
export function visibility(f: OracleFacts, r: OracleRecipient, learnerId: string): Visibility {
  let relation: boolean;
  if (r.kind === 'EMPLOYER') {
    relation = f.employments.some((e) => e.learnerId === learnerId && e.employerId === r.id);
  } else {
    relation = f.enrolments.some(
      (e) =>
        e.learnerId === learnerId &&
        e.enrolledById === r.id &&
        e.sponsorEmployerId !== null &&
        f.mandates.some((m) => m.brokerId === r.id && m.employerId === e.sponsorEmployerId && mandateInForce(f, m)),
    );
  }
  const learnerChoice = isRestricted(f, learnerId) || isErased(f, learnerId);
  const byAgreement =
    !learnerChoice &&
    f.agreements.some((a) => a.recipientId === r.id && (a.basis === 'STUDY_CONTRACT' || a.basis === 'CONSENT') && a.learnerId === learnerId && versionCurrent(f, a));
  // An erased learner is invisible to every recipient, whatever the relation.
  return { visible: (relation || byAgreement) && !isErased(f, learnerId), ambiguous: false };
}

/**
 * The enrolments of a visible learner the recipient may know exist: those it commissioned
 * (employer: sponsor) or made (broker: enrolled by), and any with at least one category allowed.
 */
export function listed(f: OracleFacts, r: OracleRecipient, enrolmentId: string): boolean {
  const e = enrolmentOf(f, enrolmentId);
  const own = r.kind === 'EMPLOYER' ? e.sponsorEmployerId === r.id : e.enrolledById === r.id;
  return own || CATEGORIES.some((c) => allows(f, r, enrolmentId, c));
}

/**
 * The reasons an employer or broker may be given for a withheld field (docs/sharing-rules.md
 * rules 10 and 11, "Reasons"): only agreements whose scope includes the learner speak — an
 * employee-wide agreement only of the recipient's employees (any employment record) — with the
 * learner's choices masked and a withdrawn consent silent; a broker hears NO_MANDATE only from a
 * mandate in force, from an employer of the learner, that gives nothing for the category; with
 * nothing to say, NO_AGREEMENT. The API shows one of these (the first of the best-ranked agreement).
 */
export function recipientReasons(f: OracleFacts, r: OracleRecipient, enrolmentId: string, category: Category): Set<string> {
  const e = enrolmentOf(f, enrolmentId);
  const reasons = new Set<string>();
  const employeeOf = (employerId: string) => f.employments.some((x) => x.learnerId === e.learnerId && x.employerId === employerId);
  const speak = (recipientId: string, bases: readonly Basis[]) => {
    for (const a of f.agreements) {
      if (a.recipientId !== recipientId || !bases.includes(a.basis) || !a.categories.includes(category)) continue;
      if (a.basis === 'LEGITIMATE_INTEREST' && !LEGITIMATE_INTEREST_CATEGORIES.includes(category)) continue;
      if (hasHappened(f.now, a.supersededAt)) continue;
      if (a.learnerId === null ? !employeeOf(recipientId) : a.learnerId !== e.learnerId) continue;
      if (a.courseIds !== null && !a.courseIds.includes(e.courseId)) continue;
      if (a.basis === 'CONSENT' && hasHappened(f.now, a.revokedAt)) continue; // as if never given
      for (const reason of reasonsAgainst(f, a, e)) reasons.add(reason);
    }
  };
  if (r.kind === 'EMPLOYER') {
    speak(r.id, ['PROCESSOR', 'STUDY_CONTRACT', 'LEGITIMATE_INTEREST', 'CONSENT']);
  } else {
    for (const m of f.mandates) {
      if (m.brokerId !== r.id || !mandateInForce(f, m)) continue;
      if (m.permissions.includes('VIEW_RESULTS') && m.categories.includes(category)) speak(m.employerId, MANDATE_BASES);
      else if (employeeOf(m.employerId)) reasons.add('NO_MANDATE');
    }
    speak(r.id, ['CONSENT']);
  }
  if (reasons.size === 0) reasons.add('NO_AGREEMENT');
  return reasons;
}

/** Why one agreement version does not allow a field, as a recipient may read it. */
function reasonsAgainst(f: OracleFacts, a: OracleAgreement, e: OracleEnrolment): string[] {
  const out: string[] = [];
  if (isRestricted(f, e.learnerId) || isErased(f, e.learnerId)) out.push('NOT_SHARED');
  if (hasHappened(f.now, a.revokedAt)) out.push('AGREEMENT_REVOKED');
  if (a.validFrom.getTime() > f.now.getTime()) out.push('AGREEMENT_NOT_YET_VALID');
  if (a.validUntil !== null && a.validUntil.getTime() <= f.now.getTime()) out.push('AGREEMENT_EXPIRED');
  if (a.basis === 'PROCESSOR' && e.sponsorEmployerId !== a.recipientId) out.push('NOT_SPONSOR');
  if ((a.basis === 'PROCESSOR' || a.basis === 'LEGITIMATE_INTEREST') && !employmentActive(f, e.learnerId, a.recipientId)) {
    const records = f.employments.filter((x) => x.learnerId === e.learnerId && x.employerId === a.recipientId);
    if (records.some((x) => x.endedOn !== null && x.endedOn < f.today)) out.push('EMPLOYMENT_ENDED');
    if (records.length === 0 || records.some((x) => x.startedOn > f.today)) out.push('NO_EMPLOYMENT');
  }
  if (a.basis === 'LEGITIMATE_INTEREST' && hasObjected(f, e.learnerId, a.recipientId)) out.push('NOT_SHARED');
  return out;
}

/**
 * The employee number a recipient reads (docs/sharing-rules.md rule 3, "Which identity fields"):
 * an employer its own; a broker the number at an employer for which it enrolled the learner, while
 * a mandate from that employer is in force; nobody another organisation's.
 */
export function expectedEmployeeNumbers(f: OracleFacts, r: OracleRecipient, learnerId: string): Set<string | null> {
  const employers = new Set<string>();
  if (r.kind === 'EMPLOYER') employers.add(r.id);
  else {
    for (const e of f.enrolments) {
      if (e.learnerId !== learnerId || e.enrolledById !== r.id || e.sponsorEmployerId === null) continue;
      if (f.mandates.some((m) => m.brokerId === r.id && m.employerId === e.sponsorEmployerId && mandateInForce(f, m))) employers.add(e.sponsorEmployerId);
    }
  }
  const numbers = new Set<string | null>(f.employments.filter((x) => x.learnerId === learnerId && employers.has(x.employerId)).map((x) => x.employeeNumber ?? null));
  if (numbers.size === 0) numbers.add(null);
  return numbers;
}

/** What `status` reads: COMPLETED and IN_PROGRESS only with COMPLETION, else both STARTED (docs/sharing-rules.md rule 16). */
export function expectedStatus(status: string, completionAllowed: boolean): string {
  return !completionAllowed && (status === 'IN_PROGRESS' || status === 'COMPLETED') ? 'STARTED' : status;
}

/** The facts that bear on one decision, for a failure message. */
export function describeFacts(f: OracleFacts, r: OracleRecipient, learnerId: string, enrolmentId?: string): string {
  const d = (x: Date | null) => (x === null ? 'null' : `now${fmtOffset(x.getTime() - f.now.getTime())}`);
  const lines: string[] = [];
  lines.push(`now=${f.now.toISOString()} today(Amsterdam)=${f.today}`);
  lines.push(`recipient ${r.kind} ${r.id}`);
  const l = f.learners.find((x) => x.id === learnerId);
  lines.push(`learner ${learnerId} erasedAt=${d(l?.erasedAt ?? null)} restricted=${isRestricted(f, learnerId)}`);
  for (const e of f.employments.filter((x) => x.learnerId === learnerId)) {
    lines.push(`  employment at ${e.employerId} ${e.startedOn}..${e.endedOn ?? 'open'} active=${employmentActive(f, learnerId, e.employerId)}`);
  }
  for (const o of f.objections.filter((x) => x.learnerId === learnerId)) {
    lines.push(`  objection vs ${o.recipientId} objectedAt=${d(o.objectedAt)} liftedAt=${d(o.liftedAt)}`);
  }
  for (const x of f.restrictions.filter((y) => y.learnerId === learnerId)) {
    lines.push(`  restriction requestedAt=${d(x.requestedAt)} liftedAt=${d(x.liftedAt)}`);
  }
  for (const e of f.enrolments.filter((x) => x.learnerId === learnerId)) {
    const mark = e.id === enrolmentId ? '>>' : '  ';
    lines.push(`${mark}enrolment ${e.id} course=${e.courseId} sponsor=${e.sponsorEmployerId ?? 'null'} enrolledBy=${e.enrolledById}`);
  }
  for (const a of f.agreements) {
    lines.push(
      `  agreement ${a.id} (agr ${a.agreementId} v${a.version}) ${a.basis} -> ${a.recipientId} [${a.categories.join(',')}] learner=${a.learnerId ?? 'all'}` +
        ` courses=${a.courseIds ? a.courseIds.join(',') : 'all'} valid=[${d(a.validFrom)}, ${d(a.validUntil)}) revokedAt=${d(a.revokedAt)} supersededAt=${d(a.supersededAt)}`,
    );
  }
  for (const m of f.mandates) {
    lines.push(
      `  mandate ${m.brokerId} -> ${m.employerId} perms=[${m.permissions.join(',')}] [${m.categories.join(',')}] valid=[${d(m.validFrom)}, ${d(m.validUntil)}) revokedAt=${d(m.revokedAt)} inForce=${mandateInForce(f, m)}`,
    );
  }
  return lines.join('\n');
}

function fmtOffset(ms: number): string {
  const days = ms / 86_400_000;
  return `${days >= 0 ? '+' : ''}${days.toFixed(2)}d`;
}
