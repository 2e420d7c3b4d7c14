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
 * Writes an entry's content as text straight from the gate's decisions: the same bytes as
 * `JSON.stringify({ items })` of the items itemOf() makes (disclosure-item.spec.ts holds the two
 * equal for any input), from fragments written once per grant and per list of categories. A
 * 448-learner page's contents are ~540 kB; making them as objects and then serialising those was
 * ~9 ms of the API's CPU per gated page, on the request path (docs/benchmarks.md).
 *
 * One writer per page: its fragments are that page's few agreements and category lists.
 */
export class ContentWriter {
  private readonly heads = new Map<string, string>();
  private readonly lists = new Map<string, string>();
  /**
   * Each grant object's group key and head, worked out on its first use: the ledger's writer hands
   * one grant object per decision, so a page's ~9,000 (enrolment, category) pairs cost a lookup
   * each instead of a key and a head made anew (docs/benchmarks.md, "Round 3, ninth session").
   * Grants are never changed once made. (A broker's decisions through a mandate are made per
   * enrolment and category, so for brokers this saves little; it changes nothing they are sent.)
   */
  private readonly ofGrant = new Map<DisclosureGrant, { key: string; head: string }>();

  /** One enrolment's item, as itemOf() groups it and JSON.stringify writes it. */
  item(enrolmentId: string, courseId: string, disclosed: { category: DisclosureCategory; grant: DisclosureGrant }[]): string {
    const sorted = inCanonicalOrder(disclosed) ? disclosed : [...disclosed].sort((a, b) => CATEGORY_ORDER[a.category] - CATEGORY_ORDER[b.category]);
    let grants = '';
    if (sorted.length > 0 && sorted.every((d) => this.fragmentsOf(d.grant).key === this.fragmentsOf(sorted[0].grant).key)) {
      // Nearly always: one agreement allowed every category of the enrolment.
      grants = `${this.fragmentsOf(sorted[0].grant).head}${this.list(sorted.map((d) => d.category))}}`;
    } else {
      // Grouped as itemOf groups: by agreement version and employer, in the order first seen, the
      // group's grant being the first one seen.
      const groups = new Map<string, { head: string; categories: DisclosureCategory[] }>();
      for (const { category, grant } of sorted) {
        const { key, head } = this.fragmentsOf(grant);
        const group = groups.get(key);
        if (group) group.categories.push(category);
        else groups.set(key, { head, categories: [category] });
      }
      for (const { head, categories } of groups.values()) grants += `${grants === '' ? '' : ','}${head}${this.list(categories)}}`;
    }
    return `{"enrolmentId":${JSON.stringify(enrolmentId)},"courseId":${JSON.stringify(courseId)},"grants":[${grants}]}`;
  }

  private fragmentsOf(grant: DisclosureGrant): { key: string; head: string } {
    let fragments = this.ofGrant.get(grant);
    if (fragments === undefined) {
      fragments = { key: `${grant.agreementVersionId}|${grant.onBehalfOf ?? ''}`, head: this.head(grant) };
      this.ofGrant.set(grant, fragments);
    }
    return fragments;
  }

  /** The content of an entry with these items (each from item()). */
  content(items: string[]): string {
    return `{"items":[${items.join(',')}]}`;
  }

  /** `{"basis":…,"onBehalfOf":…,"categories":` — the grant's fields in the order itemOf's spread writes them. */
  private head(grant: DisclosureGrant): string {
    const key = `${part(grant.basis)}${part(grant.agreementId)}${part(grant.agreementVersionId)}${part(grant.agreementVersion)}${part(grant.onBehalfOf)}`;
    let head = this.heads.get(key);
    if (head === undefined) {
      const { basis, agreementId, agreementVersionId, agreementVersion, onBehalfOf } = grant;
      head = `${JSON.stringify({ basis, agreementId, agreementVersionId, agreementVersion, onBehalfOf }).slice(0, -1)},"categories":`;
      this.heads.set(key, head);
    }
    return head;
  }

  private list(categories: DisclosureCategory[]): string {
    const key = categories.join(',');
    let list = this.lists.get(key);
    if (list === undefined) {
      list = JSON.stringify(categories);
      this.lists.set(key, list);
    }
    return list;
  }
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
          // Field by field, as the ledger's readable items are (readable-disclosure.ts): a page of
          // the ledger has ~9,000 of these lines.
          categories: item.grants
            .flatMap((g) =>
              g.categories.map((category) => ({
                category,
                basis: g.basis,
                agreementId: g.agreementId,
                agreementVersionId: g.agreementVersionId,
                agreementVersion: g.agreementVersion,
                onBehalfOf: g.onBehalfOf,
              })),
            )
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

/** A field of a cache key that no other value of any type writes the same way (its type and length first). */
function part(value: unknown): string {
  const text = String(value);
  return `${typeof value}${text.length}:${text}`;
}

/** Already as a stable sort by the canonical order would leave them (as the ledger's writer hands them). */
function inCanonicalOrder(disclosed: { category: DisclosureCategory }[]): boolean {
  for (let i = 1; i < disclosed.length; i++) if (CATEGORY_ORDER[disclosed[i - 1].category] > CATEGORY_ORDER[disclosed[i].category]) return false;
  return true;
}
