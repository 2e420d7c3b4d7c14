import { DISCLOSURE_CATEGORIES, type DisclosureCategory } from '../common/disclosure-category';
import type { SharingBasis } from '../common/sharing-basis';

/** The agreement version that allowed a value to be disclosed, as the ledger names it. */
export interface DisclosureGrant {
  basis: SharingBasis;
  agreementId: string;
  agreementVersionId: string;
  agreementVersion: number;
  /** For a broker reading through a mandate: the employer whose view it is. */
  onBehalfOf: string | null;
}

/**
 * Per enrolment, as hashed into a ledger entry: the categories disclosed, grouped by the exact
 * agreement version that allowed them. One enrolment's categories nearly always share one
 * agreement, so an entry names each agreement once and stays small: an entry for a learner with
 * three enrolments is ~1.5 kB, under PostgreSQL's 2 kB TOAST threshold, which keeps the ledger
 * write of a 500-learner page free of compression and out-of-line storage.
 */
export interface DisclosureItem {
  enrolmentId: string;
  courseId: string;
  grants: (DisclosureGrant & { categories: DisclosureCategory[] })[];
}

/** The same, one line per category: what the API and the learner's emails show. */
export interface DisclosedEnrolment {
  enrolmentId: string;
  courseId: string;
  categories: (DisclosureGrant & { category: DisclosureCategory })[];
}

/** Groups one enrolment's (category, grant) pairs by grant, categories in their canonical order. */
export function itemOf(enrolmentId: string, courseId: string, disclosed: { category: DisclosureCategory; grant: DisclosureGrant }[]): DisclosureItem {
  const grants = new Map<string, DisclosureItem['grants'][number]>();
  for (const { category, grant } of [...disclosed].sort((a, b) => CATEGORY_ORDER[a.category] - CATEGORY_ORDER[b.category])) {
    const key = `${grant.agreementVersionId}|${grant.onBehalfOf ?? ''}`;
    const group = grants.get(key);
    if (group) group.categories.push(category);
    else grants.set(key, { ...grant, categories: [category] });
  }
  return { enrolmentId, courseId, grants: [...grants.values()] };
}

/**
 * An item as stored: grouped by grant, or — in entries written before migration
 * CompactLedgerEntries, which stay as they were hashed — already one line per category.
 */
export type StoredDisclosureItem = DisclosureItem | DisclosedEnrolment;

/** One line per category, in the canonical category order. */
export function perCategory(items: StoredDisclosureItem[]): DisclosedEnrolment[] {
  return items.map((item) =>
    'grants' in item
      ? {
          enrolmentId: item.enrolmentId,
          courseId: item.courseId,
          categories: item.grants
            .flatMap(({ categories, ...grant }) => categories.map((category) => ({ category, ...grant })))
            .sort((a, b) => CATEGORY_ORDER[a.category] - CATEGORY_ORDER[b.category]),
        }
      : item,
  );
}

/** The items of a ledger entry's hashed content. */
export function itemsOfContent(content: string): StoredDisclosureItem[] {
  // Retention purges an entry's content (ledger_purge): nothing is left to list.
  if (content === '') return [];
  return (JSON.parse(content) as { items: StoredDisclosureItem[] }).items;
}

const CATEGORY_ORDER = Object.fromEntries(DISCLOSURE_CATEGORIES.map((c, i) => [c, i])) as Record<DisclosureCategory, number>;
