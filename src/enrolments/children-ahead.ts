import type { RequestLoaders } from '../common/graphql/request-loaders';
import type { EnrolmentEntity } from './enrolment.entity';
import { CERTIFICATES_BY_ENROLMENT, COURSE_BY_ID, RESULTS_BY_ENROLMENT } from './enrolment-loaders';
import type { EnrolmentService } from './enrolment.service';

/**
 * What a staff query selects below a page's enrolments — results, certificates, courses — loaded
 * ahead, one statement per kind as the loaders would batch it, and primed into the request's
 * loaders, so that the fields answer synchronously when GraphQL reaches the enrolments in turns
 * (common/graphql/in-turns.ts). Through the loaders alone, each batch's answer completed the
 * subtrees of the whole page in one block of the event loop (docs/benchmarks.md, the longest
 * block). `selected`: the field names the query selects below the enrolments.
 */
export async function primeEnrolmentChildren(
  service: EnrolmentService,
  enrolments: readonly Pick<EnrolmentEntity, 'id' | 'courseId'>[],
  selected: ReadonlySet<string>,
  loaders: RequestLoaders,
): Promise<void> {
  if (enrolments.length === 0) return;
  const enrolmentIds = enrolments.map((e) => e.id);
  const [results, certificates, courses] = await Promise.all([
    selected.has('assessmentResults') ? service.resultsByEnrolment(enrolmentIds) : undefined,
    selected.has('certificates') || selected.has('accreditationPointsEarned') ? service.certificatesByEnrolment(enrolmentIds) : undefined,
    selected.has('course') ? service.coursesByIds([...new Set(enrolments.map((e) => e.courseId))]) : undefined,
  ]);
  for (const id of enrolmentIds) {
    if (results) loaders.prime(RESULTS_BY_ENROLMENT, id, results.get(id) ?? []);
    if (certificates) loaders.prime(CERTIFICATES_BY_ENROLMENT, id, certificates.get(id) ?? []);
  }
  for (const [id, course] of courses ?? []) loaders.prime(COURSE_BY_ID, id, course);
}
