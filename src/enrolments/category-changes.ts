import { DISCLOSURE_CATEGORIES, type DisclosureCategory } from '../common/disclosure-category';
import type { EnrolmentEntity } from './enrolment.entity';
import { generalisedStatus } from './enrolment-status';

/**
 * When each category of an enrolment last changed. Incremental sync (`updatedSince`) selects an
 * enrolment for an employer or broker only by the change times of categories shared with it:
 * a single "updated at" would let a recipient binary-search the moment of a change it may not see
 * (a new result while ASSESSMENT_RESULTS is withheld), without any ledger entry
 * (docs/sharing-rules.md rule 12). A category never stamped changed when the enrolment was made.
 * In epoch milliseconds: the enrolment may be an entity or a row read as JSON (json-rows.ts).
 */
export function changedAt(e: Pick<EnrolmentEntity, 'changedAt'> & { createdAt: Date | number }, category: DisclosureCategory): number {
  const at = e.changedAt[category];
  return at ? Date.parse(at) : e.createdAt.valueOf();
}

type RowValues = Pick<EnrolmentEntity, 'status' | 'enrolledAt' | 'startsOn' | 'startedAt' | 'progressPercent' | 'lastActivityAt' | 'timeSpentMinutes' | 'completedAt'>;

const time = (d: Date | null) => d?.getTime() ?? null;

/**
 * What each category shows of the enrolment row, as a recipient would read it; null for
 * categories held in rows of their own (results, certificates), stamped when those are written.
 * A Record, so a new category does not compile until it says how its change is seen.
 */
const SHOWN: Record<DisclosureCategory, ((e: RowValues) => unknown[]) | null> = {
  // The generalised status: completing a course changes COMPLETION only (rule 16).
  ENROLMENT_STATUS: (e) => [generalisedStatus(e.status), time(e.enrolledAt), e.startsOn, time(e.startedAt)],
  PROGRESS: (e) => [e.progressPercent, time(e.lastActivityAt)],
  TIME_SPENT: (e) => [e.timeSpentMinutes],
  COMPLETION: (e) => [e.status === 'COMPLETED', time(e.completedAt)],
  ASSESSMENT_RESULTS: null,
  CERTIFICATES: null,
  ACCREDITATION: null,
};

/** The categories whose shown values differ between two states of an enrolment row. */
export function changedCategories(before: RowValues, after: RowValues): DisclosureCategory[] {
  return DISCLOSURE_CATEGORIES.filter((c) => {
    const shown = SHOWN[c];
    return shown !== null && JSON.stringify(shown(before)) !== JSON.stringify(shown(after));
  });
}

/**
 * SQL: `changed_at` with the categories in the text[] parameter `$n` stamped with the database
 * clock. For `UPDATE enrolments SET changed_at = ${stampSql(2)} …`.
 */
export function stampSql(param: number): string {
  return `changed_at || (SELECT coalesce(jsonb_object_agg(c, now()), '{}'::jsonb) FROM unnest($${param}::text[]) c)`;
}

export const ALL_CATEGORIES: readonly DisclosureCategory[] = DISCLOSURE_CATEGORIES;
