import { Injectable } from '@nestjs/common';
import type { RequestLoaders } from '../common/graphql/request-loaders';
import { inTurns } from '../common/graphql/in-turns';
import type { ConnectionShape, DeferredConnectionShape } from '../common/pagination/connection';
import { CERTIFICATES_BY_ENROLMENT, COURSE_BY_ID, ENROLMENTS_BY_LEARNER, RESULTS_BY_ENROLMENT } from '../enrolments/enrolment-loaders';
import { EnrolmentService } from '../enrolments/enrolment.service';
import type { LearnerEntity } from './learner.entity';

/**
 * Provider staff's page of learners (no gate, no ledger), made like the gated page: what the
 * query selects below the learners is loaded ahead — one statement per kind, as the loaders would
 * batch it — and primed into the request's loaders, and the learners are handed to GraphQL in
 * turns (in-turns.ts). Through the loaders alone, each batch's answer completed the subtrees of
 * all 500 learners in one block of the event loop (docs/benchmarks.md, the longest block).
 */
@Injectable()
export class StaffPage {
  constructor(private readonly enrolments: EnrolmentService) {}

  async ahead(page: ConnectionShape<LearnerEntity>, selected: ReadonlySet<string>, loaders: RequestLoaders): Promise<DeferredConnectionShape<LearnerEntity>> {
    const learnerIds = page.nodes.map((l) => l.id);
    if (selected.has('enrolments') && learnerIds.length > 0) {
      const byLearner = await this.enrolments.enrolmentsByLearner(learnerIds);
      for (const id of learnerIds) loaders.prime(ENROLMENTS_BY_LEARNER, id, byLearner.get(id) ?? []);
      const enrolments = [...byLearner.values()].flat();
      const enrolmentIds = enrolments.map((e) => e.id);
      const [results, certificates, courses] = await Promise.all([
        selected.has('assessmentResults') ? this.enrolments.resultsByEnrolment(enrolmentIds) : undefined,
        selected.has('certificates') || selected.has('accreditationPointsEarned') ? this.enrolments.certificatesByEnrolment(enrolmentIds) : undefined,
        selected.has('course') ? this.enrolments.coursesByIds([...new Set(enrolments.map((e) => e.courseId))]) : undefined,
      ]);
      for (const id of enrolmentIds) {
        if (results) loaders.prime(RESULTS_BY_ENROLMENT, id, results.get(id) ?? []);
        if (certificates) loaders.prime(CERTIFICATES_BY_ENROLMENT, id, certificates.get(id) ?? []);
      }
      for (const [id, course] of courses ?? []) loaders.prime(COURSE_BY_ID, id, course);
    }
    const nodes = inTurns(page.nodes);
    return { ...page, nodes, edges: page.edges.map((edge, i) => ({ cursor: edge.cursor, node: nodes[i] })) };
  }
}
