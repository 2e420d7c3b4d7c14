import { DISCLOSURE_CATEGORIES, type DisclosureCategory } from '../common/disclosure-category';
import type { EnrolmentEntity } from './enrolment.entity';
import { generalisedStatus } from './enrolment-status';

/**
 * When each category of an enrolment last changed. Incremental sync (`updatedSince`) selects an
 * enrolment for an employer or broker only by the change times of categories shared with it:
 * a single "updated at" would let a recipient binary-search the moment of a change it may not see
 * (a new result while ASSESSMENT_RESULTS is withheld), without any ledger entry
 * (docs/sharing-rules.md rule 12). A category never stamped changed when the enrolment was made.
 */
export function changedAt(e: Pick<EnrolmentEntity, 'changedAt' | 'createdAt'>, category: DisclosureCategory): Date {
  const at = e.changedAt[category];
  return at ? new Date(at) : e.createdAt;
}

/** The values of each category a change of the enrolment row itself can touch. */
type RowValues = Pick<EnrolmentEntity, 'status' | 'enrolledAt' | 'startedAt' | 'progressPercent' | 'lastActivityAt' | 'timeSpentMinutes' | 'completedAt'>;

/**
 * The categories whose shown values differ between two states of an enrolment. ENROLMENT_STATUS
 * compares the generalised status (STARTED), so completing a course changes COMPLETION only: a
 * recipient without COMPLETION sees no change at all.
 */
export function changedCategories(before: RowValues, after: RowValues): DisclosureCategory[] {
  const time = (d: Date | null) => d?.getTime() ?? null;
  const changed: DisclosureCategory[] = [];
  if (generalisedStatus(before.status) !== generalisedStatus(after.status) || time(before.enrolledAt) !== time(after.enrolledAt) || time(before.startedAt) !== time(after.startedAt)) {
    changed.push('ENROLMENT_STATUS');
  }
  if (before.progressPercent !== after.progressPercent || time(before.lastActivityAt) !== time(after.lastActivityAt)) changed.push('PROGRESS');
  if (before.timeSpentMinutes !== after.timeSpentMinutes) changed.push('TIME_SPENT');
  if ((before.status === 'COMPLETED') !== (after.status === 'COMPLETED') || time(before.completedAt) !== time(after.completedAt)) changed.push('COMPLETION');
  return changed;
}

/**
 * SQL: `changed_at` with the categories in the text[] parameter `$n` stamped with the database
 * clock. For `UPDATE enrolments SET changed_at = ${stampSql(2)} …`.
 */
export function stampSql(param: number): string {
  return `changed_at || (SELECT coalesce(jsonb_object_agg(c, now()), '{}'::jsonb) FROM unnest($${param}::text[]) c)`;
}

export const ALL_CATEGORIES: readonly DisclosureCategory[] = DISCLOSURE_CATEGORIES;
