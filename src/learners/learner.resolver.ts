import { Args, Context, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { Actor } from '../auth/actor';
import { Allow, CurrentActor } from '../auth/auth.decorators';
import { DomainError } from '../common/errors/domain-error';
import type { GraphqlContext } from '../common/graphql/request-loaders';
import { CreateEmploymentInput, CreateLearnerInput, LearnersArgs, UpdateEmploymentInput, UpdateLearnerInput } from './learner.inputs';
import { EmploymentModel, LearnerConnection, LearnerModel } from './learner.model';
import { LearnerService } from './learner.service';
import type { LearnerEntity } from './learner.entity';

/**
 * Learner records for provider staff (the controller: not a disclosure, DESIGN §3 rule 5) and the
 * learner's own profile. Employers and brokers read learners through the sharing gate.
 */
@Resolver(() => LearnerModel)
export class LearnerResolver {
  constructor(private readonly service: LearnerService) {}

  @Query(() => LearnerConnection)
  @Allow('PROVIDER_STAFF')
  learners(@Args() args: LearnersArgs) {
    return this.service.list(args);
  }

  @Query(() => LearnerModel)
  @Allow('PROVIDER_STAFF')
  learner(@Args('id', { type: () => ID }) id: string) {
    return this.service.get(id);
  }

  @Query(() => LearnerModel, { description: "The calling learner's own profile." })
  @Allow('LEARNER')
  me(@CurrentActor() actor: Actor) {
    if (!actor.learnerId) throw DomainError.notFound('Learner');
    return this.service.get(actor.learnerId);
  }

  @ResolveField(() => [EmploymentModel])
  employments(@Parent() learner: LearnerEntity, @Context() ctx: GraphqlContext) {
    return ctx.loaders.for('employmentsByLearner', (ids) => this.service.employmentsOf(ids), () => []).load(learner.id);
  }

  @Mutation(() => LearnerModel)
  @Allow('PROVIDER_STAFF')
  createLearner(@Args('input') input: CreateLearnerInput) {
    return this.service.create(input);
  }

  @Mutation(() => LearnerModel)
  @Allow('PROVIDER_STAFF')
  updateLearner(@Args('id', { type: () => ID }) id: string, @Args('input') input: UpdateLearnerInput) {
    return this.service.update(id, input);
  }

  @Mutation(() => EmploymentModel)
  @Allow('PROVIDER_STAFF')
  createEmployment(@Args('input') input: CreateEmploymentInput) {
    return this.service.createEmployment(input);
  }

  @Mutation(() => EmploymentModel)
  @Allow('PROVIDER_STAFF')
  updateEmployment(@Args('id', { type: () => ID }) id: string, @Args('input') input: UpdateEmploymentInput) {
    return this.service.updateEmployment(id, input);
  }
}
