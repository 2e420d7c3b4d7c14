import { Injectable } from '@nestjs/common';
import type { RequestLoaders } from '../common/graphql/request-loaders';
import { connectionInTurns } from '../common/graphql/in-turns';
import type { ConnectionShape, DeferredConnectionShape } from '../common/pagination/connection';
import { primeEnrolmentChildren } from '../enrolments/children-ahead';
import { ENROLMENTS_BY_LEARNER } from '../enrolments/enrolment-loaders';
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
      await primeEnrolmentChildren(this.enrolments, [...byLearner.values()].flat(), selected, loaders);
    }
    return connectionInTurns(page);
  }
}
