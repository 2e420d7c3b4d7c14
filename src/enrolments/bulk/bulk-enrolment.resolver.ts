import { Args, ID, Mutation, Resolver } from '@nestjs/graphql';
import type { Actor } from '../../auth/actor';
import { Allow, CurrentActor } from '../../auth/auth.decorators';
import { EnrolmentModel } from '../enrolment.model';
import { EnrolmentService } from '../enrolment.service';
import { BulkEnrolmentService } from './bulk-enrolment.service';
import { EnrolLearnersInput, EnrolLearnersResultModel } from './enrol-learners.model';

@Resolver()
export class BulkEnrolmentResolver {
  constructor(
    private readonly bulk: BulkEnrolmentService,
    private readonly enrolments: EnrolmentService,
  ) {}

  @Mutation(() => EnrolLearnersResultModel, {
    description:
      'Enrol up to 1,000 employees of an employer: a broker with an ENROL mandate in force, or the employer itself. Valid rows are committed together; each row gets an outcome. The same idempotencyKey returns the same outcomes and writes nothing.',
  })
  @Allow('BROKER_CLIENT', 'EMPLOYER_CLIENT')
  enrolLearners(@CurrentActor() actor: Actor, @Args('input') input: EnrolLearnersInput) {
    return this.bulk.enrol(actor, input);
  }

  @Mutation(() => EnrolmentModel, { description: 'Withdraw an enrolment: the sponsoring employer, or the broker that made it under a mandate in force.' })
  @Allow('BROKER_CLIENT', 'EMPLOYER_CLIENT')
  async withdrawEnrolment(@CurrentActor() actor: Actor, @Args('enrolmentId', { type: () => ID }) enrolmentId: string) {
    return this.enrolments.getEnrolment(await this.bulk.withdraw(actor, enrolmentId));
  }
}
