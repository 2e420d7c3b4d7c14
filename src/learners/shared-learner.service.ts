import type { Lean } from '../common/database/json-rows';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import type { DeferredConnectionShape } from '../common/pagination/connection';
import { inTurns, mapInTurns, nextTurn } from '../common/graphql/in-turns';
import { DEFAULT_PAGE_SIZE } from '../common/pagination/connection';
import { decodeCursor, encodeCursor } from '../common/pagination/cursor';
import { DISCLOSURE_CATEGORIES, type DisclosureCategory } from '../common/disclosure-category';
import { isUuid } from '../common/uuid';
import type { EnrolmentEntity } from '../enrolments/enrolment.entity';
import type { EnrolmentStatusView } from '../enrolments/enrolment-status';
import { changedAt } from '../enrolments/category-changes';
import type { RequestLoaders } from '../common/graphql/request-loaders';
import { GateFactsLoader, type LoadedPage, type VisibleLearnerRow } from '../sharing/gate/gate-facts.loader';
import { PageChildren } from '../enrolments/page-children';
import { mandateInForce } from '../organisations/mandate-in-force';
import type { GatedView } from '../sharing/gate/request-view';
import type { Recipient } from '../sharing/gate/sharing-rules';

export interface EnrolmentFilter {
  courseId?: string;
  status?: EnrolmentStatusView;
  completedSince?: Date;
  updatedSince?: Date;
}

export type SharedLearner = VisibleLearnerRow & { employeeNumber: string | null; sharedEnrolments: Lean<EnrolmentEntity>[] };

/** Learners whose listing the gate decides in one turn of the event loop (~3 enrolments each). */
const LEARNERS_PER_TURN = 100;

/**
 * Learners as an employer or broker reads them: only visible learners, only listed enrolments,
 * and filters that can only see what is shared with the caller (docs/sharing-rules.md rule 12).
 */
@Injectable()
export class SharedLearnerService {
  constructor(
    private readonly loader: GateFactsLoader,
    private readonly children: PageChildren,
  ) {}

  /**
   * One page = one window of visible learners in id order. Filters are applied after the gate
   * decided, so a filter on a gated field can only match where that category is shared; the page
   * may then hold fewer than `first` learners. `endCursor` is the end of the window (a visible
   * learner, whatever the filter), so a cursor never reveals what a filter matched.
   */
  async page(view: GatedView, args: EnrolmentFilter & { first?: number; after?: string }, prefetch: Prefetch): Promise<DeferredConnectionShape<SharedLearner>> {
    const first = args.first ?? DEFAULT_PAGE_SIZE;
    const page = await this.loader.page(view.recipient!, { after: args.after ? decodeCursor(args.after) : undefined, limit: first, extras: this.children.columnsFor(prefetch.selected) });
    view.add(page);
    this.children.prime(prefetch.loaders, page.enrolments, page.extras);
    // Deciding the page's ~1,500 enrolments is blocks of their own, apart from mapping them.
    await nextTurn();
    const filtered = hasFilter(args);
    const nodes = (await this.shape(view, page, args)).filter((l) => !filtered || l.sharedEnrolments.length > 0);
    const windowEnd = page.learners.at(-1);
    const inOrder = inTurns(nodes);
    return {
      nodes: inOrder,
      edges: nodes.map((node, i) => inOrder[i].then((n) => ({ cursor: encodeCursor(node.id), node: n }))),
      pageInfo: { endCursor: windowEnd ? encodeCursor(windowEnd.id) : null, hasNextPage: page.hasMore },
    };
  }

  /** One learner, if visible; otherwise exactly the answer for an unknown id. */
  async one(view: GatedView, id: string, prefetch: Prefetch): Promise<SharedLearner> {
    if (!isUuid(id)) throw DomainError.notFound('Learner');
    const page = await this.loader.page(view.recipient!, { limit: 1, learnerIds: [id], extras: this.children.columnsFor(prefetch.selected) });
    view.add(page);
    this.children.prime(prefetch.loaders, page.enrolments, page.extras);
    const [learner] = await this.shape(view, page, {});
    if (!learner) throw DomainError.notFound('Learner');
    return learner;
  }

  /** The gate decides which enrolments each learner lists: LEARNERS_PER_TURN learners per turn of the event loop. */
  private shape(view: GatedView, page: LoadedPage, filter: EnrolmentFilter): Promise<SharedLearner[]> {
    const byLearner = new Map<string, Lean<EnrolmentEntity>[]>();
    for (const e of page.enrolments) {
      const list = byLearner.get(e.learnerId);
      if (list) list.push(e);
      else byLearner.set(e.learnerId, [e]);
    }
    const identity = identityFor(view.recipient!, page);
    // Object.assign onto `{}`, not `{ ...learner, … }`: properties the learner does not have,
    // added after a spread, are slow on Node 20 (disclosures/readable-disclosure.ts, readableItems).
    return mapInTurns(page.learners, LEARNERS_PER_TURN, (learner) =>
      Object.assign({}, learner, {
        name: identity.get(learner.id)?.claimedName ?? learner.name,
        employeeNumber: identity.get(learner.id)?.employeeNumber ?? null,
        sharedEnrolments: view.listed(byLearner.get(learner.id) ?? []).filter((e) => matches(view, e, filter)),
      }),
    );
  }
}

/**
 * Employee numbers are identity the recipient supplied itself (docs/sharing-rules.md rule 3): an
 * employer sees its own; a broker sees the number at an employer only for a learner it enrolled
 * for that employer, while a mandate from that employer is in force (any permission). Anyone
 * else's number would tell the recipient where else the person works.
 *
 * Where the recipient's only such relation is an employment its batch claimed and staff have
 * not confirmed (employment.entity.ts), the name it reads is the one it supplied: the person's
 * own account says nothing to it until the claim is confirmed.
 */
function identityFor(recipient: Recipient, page: LoadedPage): Map<string, { employeeNumber: string | null; claimedName: string | null }> {
  const identity = new Map<string, { employeeNumber: string | null; claimedName: string | null }>();
  const mine = new Set<string>();
  if (recipient.kind === 'EMPLOYER') {
    for (const e of page.facts.employments) if (e.employerId === recipient.id) mine.add(`${e.learnerId}|${e.employerId}`);
  } else {
    const mandating = new Set(page.facts.mandates.filter((m) => m.brokerId === recipient.id && mandateInForce(m, page.facts.now)).map((m) => m.employerId));
    for (const e of page.enrolments) {
      if (e.enrolledById === recipient.id && e.sponsorEmployerId !== null && mandating.has(e.sponsorEmployerId)) mine.add(`${e.learnerId}|${e.sponsorEmployerId}`);
    }
  }
  for (const e of page.facts.employments) {
    if (!mine.has(`${e.learnerId}|${e.employerId}`)) continue;
    const seen = identity.get(e.learnerId);
    const claimedName = e.claimedName ?? null;
    if (!seen) identity.set(e.learnerId, { employeeNumber: e.employeeNumber ?? null, claimedName });
    // One confirmed relation is enough to know the person as they are.
    else if (claimedName === null) seen.claimedName = null;
  }
  return identity;
}

/** What the query selects below the learners (child data loaded with the facts) and where to put it. */
export interface Prefetch {
  selected: ReadonlySet<string>;
  loaders: RequestLoaders;
}

function hasFilter(f: EnrolmentFilter): boolean {
  return f.courseId !== undefined || f.status !== undefined || f.completedSince !== undefined || f.updatedSince !== undefined;
}

/**
 * A predicate on a gated field sees the row only where that category is allowed, and a row it
 * selected counts as a disclosure of that category (docs/sharing-rules.md rules 12 and 16).
 * Nothing is marked unless the whole filter matched.
 */
function matches(view: GatedView, e: Lean<EnrolmentEntity>, f: EnrolmentFilter): boolean {
  if (f.courseId !== undefined && e.courseId !== f.courseId) return false;
  const marks: DisclosureCategory[] = [];
  // A change time is selected only by the categories shared with the caller, and each one whose
  // change selected the row is disclosed: a withheld category's change must not select it.
  if (f.updatedSince !== undefined) {
    const since = f.updatedSince;
    const selecting = DISCLOSURE_CATEGORIES.filter((c) => changedAt(e, c) >= since.getTime() && view.allows(e.id, c));
    if (selecting.length === 0) return false;
    marks.push(...selecting);
  }
  if (f.status !== undefined) {
    if (!view.allows(e.id, 'ENROLMENT_STATUS')) return false;
    marks.push('ENROLMENT_STATUS');
    switch (f.status) {
      case 'STARTED':
        if (e.status !== 'IN_PROGRESS' && e.status !== 'COMPLETED') return false;
        break;
      case 'IN_PROGRESS':
      case 'COMPLETED':
        // Telling these apart is telling completion: only where COMPLETION is shared, and it is disclosed.
        if (!view.allows(e.id, 'COMPLETION') || e.status !== f.status) return false;
        marks.push('COMPLETION');
        break;
      case 'ENROLLED':
      case 'WITHDRAWN':
        if (e.status !== f.status) return false;
        break;
    }
  }
  if (f.completedSince !== undefined) {
    if (!view.allows(e.id, 'COMPLETION') || e.completedAt === null || e.completedAt < f.completedSince.getTime()) return false;
    marks.push('COMPLETION');
  }
  for (const c of marks) view.markDisclosed(e.id, c);
  return true;
}
