import type { Lean } from '../../common/database/json-rows';
import type { DisclosureCategory } from '../../common/disclosure-category';
import { DISCLOSURE_CATEGORIES } from '../../common/disclosure-category';
import type { EnrolmentEntity } from '../../enrolments/enrolment.entity';
import type { Actor } from '../../auth/actor';
import type { LoadedPage } from './gate-facts.loader';
import { NO_AGREEMENT, SharingRules, type Decision, type Recipient } from './sharing-rules';

/**
 * How one request may see learner data. Made once per request from the actor, in the GraphQL
 * context factory. Provider staff read as the controller (not a disclosure: docs/sharing-rules.md rule 2) and
 * a learner reads their own data: both see everything their resolvers return. Employers and
 * brokers see through a GatedView; an unknown actor gets a GatedView with no decisions, which
 * withholds everything (deny by default).
 */
export type RequestView = FullView | GatedView;

export class FullView {
  readonly kind = 'FULL';
}

export class GatedView {
  readonly kind = 'GATED';
  private readonly entries = new Map<string, { rules: SharingRules; enrolment: Lean<EnrolmentEntity> }>();
  /** enrolmentId → its decisions and marks in this request (a page asks ~15 times per enrolment). */
  private readonly gates = new Map<string, EnrolmentGate>();
  /** enrolmentId → the gate of an enrolment of which at least one field was resolved (or selected a row): its marks say which categories. */
  readonly disclosed = new Map<string, EnrolmentGate>();

  constructor(readonly recipient: Recipient | null) {}

  /**
   * The database clock at which the gate decided (the first page's): the ledger's disclosure
   * time, so no API host's clock ever stamps a disclosure (docs/sharing-rules.md rule 5).
   */
  decidedAt: Date | null = null;

  /** Takes in the facts of one page; decisions are then made in memory. */
  add(page: LoadedPage): void {
    if (page.learners.length > 0) this.decidedAt ??= page.facts.now;
    const rules = new SharingRules(page.facts, 'RECIPIENT');
    for (const enrolment of page.enrolments) this.entries.set(enrolment.id, { rules, enrolment });
  }

  /** One enrolment's gate in this request: what a projection keeps, so that each of its fields is checked without a lookup. */
  gateOf(enrolmentId: string): EnrolmentGate {
    let gate = this.gates.get(enrolmentId);
    if (!gate) this.gates.set(enrolmentId, (gate = new EnrolmentGate(this, enrolmentId)));
    return gate;
  }

  decision(enrolmentId: string, category: DisclosureCategory): Decision {
    return this.gateOf(enrolmentId).decision(CATEGORY_INDEX[category]);
  }

  allows(enrolmentId: string, category: DisclosureCategory): boolean {
    return this.decision(enrolmentId, category).allowed;
  }

  /** Records that a value of this category left (or selected a row) for the ledger. */
  markDisclosed(enrolmentId: string, category: DisclosureCategory): void {
    this.gateOf(enrolmentId).mark(category);
  }

  /** The decision the sharing rules make, once per enrolment and category (EnrolmentGate keeps it). */
  decide(enrolmentId: string, category: DisclosureCategory): Decision {
    const entry = this.entries.get(enrolmentId);
    return entry && this.recipient ? entry.rules.decide(this.recipient, entry.enrolment, category) : NO_AGREEMENT;
  }

  enrolment(enrolmentId: string): Lean<EnrolmentEntity> | undefined {
    return this.entries.get(enrolmentId)?.enrolment;
  }

  /**
   * The enrolments of a visible learner the recipient may know exist: those it commissioned
   * (employer: sponsor) or made (broker: enrolled by), and those with at least one category
   * allowed. Other enrolments — a course the learner took privately, or for another employer —
   * are not listed at all: their existence is not the recipient's business.
   */
  listed(enrolments: Lean<EnrolmentEntity>[]): Lean<EnrolmentEntity>[] {
    const r = this.recipient;
    if (!r) return [];
    return enrolments.filter(
      (e) =>
        (r.kind === 'EMPLOYER' ? e.sponsorEmployerId === r.id : e.enrolledById === r.id) ||
        DISCLOSURE_CATEGORIES.some((c) => this.allows(e.id, c)),
    );
  }
}

/** A category's place in DISCLOSURE_CATEGORIES: the index of its decision in an EnrolmentGate. */
export const CATEGORY_INDEX = Object.fromEntries(DISCLOSURE_CATEGORIES.map((c, i) => [c, i])) as Record<DisclosureCategory, number>;

// An EnrolmentGate's marks are one bit per category in a 32-bit integer (bit 31 is the sign).
if (DISCLOSURE_CATEGORIES.length > 31) throw new Error('more disclosure categories than an EnrolmentGate has bits for its marks (sharing/gate/request-view.ts)');

/**
 * One enrolment as one request's view sees it: its decisions by category index, made on first
 * ask and kept, and the categories marked as disclosed, one bit per category index (a page marks
 * ~26,000 times: a bit set, not a Set's insert; docs/benchmarks.md). The view makes one per
 * enrolment, and lists it in `disclosed` from its first mark; a projection keeps its enrolment's,
 * so a gated field's check is an array read instead of two lookups by id.
 */
export class EnrolmentGate {
  private readonly decisions: (Decision | undefined)[] = [];
  /** Bit i: DISCLOSURE_CATEGORIES[i] was marked. Only mark() sets a bit, and none is ever cleared. */
  #marks = 0;

  constructor(
    private readonly view: GatedView,
    private readonly enrolmentId: string,
  ) {}

  /** The decision for DISCLOSURE_CATEGORIES[index]. */
  decision(index: number): Decision {
    return (this.decisions[index] ??= this.view.decide(this.enrolmentId, DISCLOSURE_CATEGORIES[index]));
  }

  mark(category: DisclosureCategory): void {
    const index = CATEGORY_INDEX[category];
    // `1 << undefined` is bit 0: a name that is no category must not record ENROLMENT_STATUS.
    if (index === undefined) throw new Error(`${String(category)} is not a disclosure category`);
    if (this.#marks === 0) this.view.disclosed.set(this.enrolmentId, this);
    this.#marks |= 1 << index;
  }

  /** The categories marked so far, bit i for DISCLOSURE_CATEGORIES[i] (what the ledger records). */
  get marks(): number {
    return this.#marks;
  }

  /** The categories marked so far, in the canonical order. */
  marked(): DisclosureCategory[] {
    return DISCLOSURE_CATEGORIES.filter((_, i) => (this.#marks & (1 << i)) !== 0);
  }
}

export function viewFor(actor: Actor | undefined): RequestView {
  switch (actor?.kind) {
    case 'PROVIDER_STAFF':
    case 'LEARNER':
      return new FullView();
    case 'EMPLOYER_CLIENT':
      return new GatedView({ kind: 'EMPLOYER', id: actor.organisationId! });
    case 'BROKER_CLIENT':
      return new GatedView({ kind: 'BROKER', id: actor.organisationId! });
    case undefined:
      return new GatedView(null);
  }
}
