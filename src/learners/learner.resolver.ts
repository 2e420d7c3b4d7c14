import { Args, Context, ID, Info, Mutation, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { Actor } from '../auth/actor';
import { Allow, CurrentActor } from '../auth/auth.decorators';
import { DomainError } from '../common/errors/domain-error';
import type { GraphqlContext } from '../sharing/gate/graphql-context';
import { CreateEmploymentInput, CreateLearnerInput, LearnersArgs, UpdateEmploymentInput, UpdateLearnerInput } from './learner.inputs';
import { EmploymentModel, LearnerConnection, LearnerModel } from './learner.model';
import { EMPLOYMENTS_BY_LEARNER } from './learner-loaders';
import { LearnerService } from './learner.service';
import { ENROLMENTS_BY_LEARNER } from '../enrolments/enrolment-loaders';
import { EnrolmentService } from '../enrolments/enrolment.service';
import { SharedLearnerService, type Prefetch, type SharedLearner } from './shared-learner.service';
import type { GraphQLResolveInfo } from 'graphql';
import { selectedFieldNames } from '../common/graphql/selection';
import type { LearnerEntity } from './learner.entity';
import { StaffPage } from './staff-page';

/**
 * Learner records for provider staff (the controller: not a disclosure, docs/sharing-rules.md rule 2) and the
 * learner's own profile. Employers and brokers read learners through the sharing gate.
 */
@Resolver(() => LearnerModel)
export class LearnerResolver {
  constructor(
    private readonly service: LearnerService,
    private readonly shared: SharedLearnerService,
    private readonly enrolmentsService: EnrolmentService,
    private readonly staffPage: StaffPage,
  ) {}

  @Query(() => LearnerConnection, {
    description: 'Provider staff: every learner. Employers and brokers: the learners visible to them, every field gated by the sharing agreement in force.',
  })
  @Allow('PROVIDER_STAFF', 'EMPLOYER_CLIENT', 'BROKER_CLIENT')
  learners(@Args() args: LearnersArgs, @Context() ctx: GraphqlContext, @Info() info: GraphQLResolveInfo) {
    if (ctx.view.kind === 'GATED') {
      if (args.employerId !== undefined) throw DomainError.badInput('employerId', 'is for provider staff only');
      return this.shared.page(ctx.view, args, prefetchFor(ctx, info));
    }
    return this.service.list(args).then((page) => this.staffPage.ahead(page, selectedFieldNames(info), ctx.loaders));
  }

  @Query(() => LearnerModel, { description: 'A learner; one not visible to the caller answers exactly like an unknown id.' })
  @Allow('PROVIDER_STAFF', 'EMPLOYER_CLIENT', 'BROKER_CLIENT')
  learner(@Args('id', { type: () => ID }) id: string, @Context() ctx: GraphqlContext, @Info() info: GraphQLResolveInfo) {
    return ctx.view.kind === 'GATED' ? this.shared.one(ctx.view, id, prefetchFor(ctx, info)) : this.service.get(id);
  }

  @Query(() => LearnerModel, { description: "The calling learner's own profile." })
  @Allow('LEARNER')
  me(@CurrentActor() actor: Actor) {
    if (!actor.learnerId) throw DomainError.notFound('Learner');
    return this.service.get(actor.learnerId);
  }

  // Field resolvers with GraphQL's own arguments and no parameter decorators: Nest calls them
  // directly, without a promise per call (see enrolment.resolver.ts).

  @ResolveField('employments')
  employments(learner: LearnerEntity, _args: unknown, ctx: GraphqlContext) {
    return ctx.loaders.load(EMPLOYMENTS_BY_LEARNER, learner.id, (ids) => this.service.employmentsOf(ids), () => []);
  }

  @ResolveField('enrolments')
  enrolments(learner: LearnerEntity | SharedLearner, _args: unknown, ctx: GraphqlContext) {
    if (ctx.view.kind === 'GATED') return 'sharedEnrolments' in learner ? learner.sharedEnrolments : [];
    return ctx.loaders.load(ENROLMENTS_BY_LEARNER, learner.id, (ids) => this.enrolmentsService.enrolmentsByLearner(ids), () => []);
  }

  @ResolveField('employeeNumber')
  employeeNumber(learner: LearnerEntity | SharedLearner) {
    return 'employeeNumber' in learner ? learner.employeeNumber : null;
  }

  @ResolveField('withheld')
  withheld() {
    // A learner's own fields are identity (shown with the learner) or internal (never shown to
    // recipients); gated values live on enrolments, results and certificates.
    return [];
  }

  @Mutation(() => LearnerModel)
  @Allow('PROVIDER_STAFF')
  createLearner(@Args('input') input: CreateLearnerInput) {
    return this.service.create(input);
  }

  @Mutation(() => LearnerModel, { description: 'Corrects name, email or locale; each changed field is logged (docs/learner-rights.md). Learners use updateMyProfile.' })
  @Allow('PROVIDER_STAFF')
  updateLearner(@CurrentActor() actor: Actor, @Args('id', { type: () => ID }) id: string, @Args('input') input: UpdateLearnerInput) {
    return this.service.update(id, input, changedBy(actor));
  }

  @Mutation(() => EmploymentModel)
  @Allow('PROVIDER_STAFF')
  createEmployment(@Args('input') input: CreateEmploymentInput) {
    return this.service.createEmployment(input);
  }

  @Mutation(() => EmploymentModel, {
    description: "Confirms an employment an employer's batch claimed (claimedName): from then on it counts like any other (docs/sharing-rules.md rule 3).",
  })
  @Allow('PROVIDER_STAFF')
  confirmEmployment(@Args('id', { type: () => ID }) id: string) {
    return this.service.confirmEmployment(id);
  }

  @Mutation(() => EmploymentModel, {
    description: "Corrects employer-supplied data: provider staff, or the employer for its own employees. Each changed field is logged (docs/learner-rights.md).",
  })
  @Allow('PROVIDER_STAFF', 'EMPLOYER_CLIENT')
  updateEmployment(@CurrentActor() actor: Actor, @Args('id', { type: () => ID }) id: string, @Args('input') input: UpdateEmploymentInput) {
    return this.service.updateEmployment(id, input, changedBy(actor), actor.kind === 'EMPLOYER_CLIENT' ? actor.organisationId : undefined);
  }
}

/** Load what the query selects below the learners together with the gate's facts (one round trip). */
function prefetchFor(ctx: GraphqlContext, info: GraphQLResolveInfo): Prefetch {
  return { loaders: ctx.loaders, selected: selectedFieldNames(info) };
}

/**
 * Who made a correction, as the change log keeps it: the learner, the provider, or an employer by
 * its organisation — never a staff member's or an API client's own subject, which are internal and
 * would reach the learner through their export (docs/learner-rights.md, "Rectification").
 */
function changedBy(actor: Actor): string {
  if (actor.kind === 'LEARNER') return `learner:${actor.learnerId}`;
  if (actor.kind === 'PROVIDER_STAFF') return 'provider';
  return `employer:${actor.organisationId}`;
}
