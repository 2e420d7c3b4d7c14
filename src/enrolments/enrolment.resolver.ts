import { Args, Context, ID, Info, Mutation, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { connectionInTurns } from '../common/graphql/in-turns';
import { selectedFieldNames } from '../common/graphql/selection';
import { withheldOf } from '../sharing/gate/withheld';
import type { Actor } from '../auth/actor';
import { Allow, CurrentActor } from '../auth/auth.decorators';
import type { GraphqlContext } from '../sharing/gate/graphql-context';
import { CourseModel } from './course.model';
import {
  CreateEnrolmentInput,
  EnrolmentsArgs,
  IssueCertificateInput,
  RecordAssessmentResultInput,
  RecordProgressInput,
} from './enrolment.inputs';
import { AssessmentResultModel, CertificateModel, EnrolmentConnection, EnrolmentModel } from './enrolment.model';
import type { CertificateEntity } from './certificate.entity';
import type { EnrolmentRecord } from './enrolment.entity';
import type { Lean } from '../common/database/json-rows';
import { CERTIFICATES_BY_ENROLMENT, COURSE_BY_ID, RESULTS_BY_ENROLMENT } from './enrolment-loaders';
import { primeEnrolmentChildren } from './children-ahead';
import { generalisedStatus } from './enrolment-status';
import { EnrolmentService } from './enrolment.service';

/**
 * Enrolments, progress, results and certificates as provider staff and the learning platform see
 * and record them (the controller's own reads are not gated: docs/sharing-rules.md rule 2).
 */
@Resolver(() => EnrolmentModel)
export class EnrolmentResolver {
  constructor(private readonly service: EnrolmentService) {}

  @Query(() => EnrolmentConnection)
  @Allow('PROVIDER_STAFF')
  async enrolments(@Args() args: EnrolmentsArgs, @Context() ctx: GraphqlContext, @Info() info: GraphQLResolveInfo) {
    const page = await this.service.listEnrolments(args);
    // Children loaded ahead, enrolments handed to GraphQL in turns: no block the length of the page.
    await primeEnrolmentChildren(this.service, page.nodes, selectedFieldNames(info), ctx.loaders);
    return connectionInTurns(page);
  }

  @Query(() => EnrolmentModel)
  @Allow('PROVIDER_STAFF')
  enrolment(@Args('id', { type: () => ID }) id: string) {
    return this.service.getEnrolment(id);
  }

  // The gated fields below carry their category on the model (enrolment.model.ts); the gate runs
  // before these resolvers, so a withheld list is never even loaded.
  //
  // These field resolvers take GraphQL's own (parent, args, context, info) and no parameter
  // decorators: Nest then calls them directly (its "fast field resolver" path) instead of through
  // its context creator, which costs several promises per call — and a 500-learner page resolves
  // these fields ~9,000 times. Values the gate's facts query already loaded come back
  // synchronously (RequestLoaders.load), so a gated page completes without a promise per field.

  @ResolveField(() => CourseModel, { description: 'Catalogue data: not a disclosure.' })
  course(e: EnrolmentRecord, _args: unknown, ctx: GraphqlContext) {
    return ctx.loaders.load(COURSE_BY_ID, e.courseId, (ids) => this.service.coursesByIds(ids));
  }

  /**
   * A value reveals what it implies: COMPLETED says "completed" and IN_PROGRESS "not yet", so a
   * recipient without COMPLETION reads STARTED for both, and one with it has disclosed COMPLETION
   * too when it reads either (docs/sharing-rules.md rule 16). The gate has already checked
   * ENROLMENT_STATUS before this runs.
   */
  @ResolveField('status')
  status(e: EnrolmentRecord, _args: unknown, ctx: GraphqlContext) {
    const view = ctx.view;
    if (view.kind === 'FULL' || generalisedStatus(e.status) !== 'STARTED') return e.status;
    if (!view.allows(e.id, 'COMPLETION')) return 'STARTED';
    view.markDisclosed(e.id, 'COMPLETION');
    return e.status;
  }

  @ResolveField('completed')
  completed(e: EnrolmentRecord) {
    return e.status === 'COMPLETED';
  }

  @ResolveField('assessmentResults')
  assessmentResults(e: EnrolmentRecord, _args: unknown, ctx: GraphqlContext) {
    return ctx.loaders.load(RESULTS_BY_ENROLMENT, e.id, (ids) => this.service.resultsByEnrolment(ids), () => []);
  }

  @ResolveField('certificates')
  certificates(e: EnrolmentRecord, _args: unknown, ctx: GraphqlContext) {
    return this.certificatesOf(e, ctx);
  }

  @ResolveField('accreditationPointsEarned')
  accreditationPointsEarned(e: EnrolmentRecord, _args: unknown, ctx: GraphqlContext) {
    const certificates = this.certificatesOf(e, ctx);
    return certificates instanceof Promise ? certificates.then(pointsOf) : pointsOf(certificates);
  }

  @ResolveField('withheld')
  withheld(e: EnrolmentRecord, _args: unknown, ctx: GraphqlContext, info: GraphQLResolveInfo) {
    return withheldOf(ctx.view, info.parentType, e);
  }

  private certificatesOf(e: EnrolmentRecord, ctx: GraphqlContext) {
    return ctx.loaders.load(CERTIFICATES_BY_ENROLMENT, e.id, (ids) => this.service.certificatesByEnrolment(ids), () => []);
  }

  @Mutation(() => EnrolmentModel)
  @Allow('PROVIDER_STAFF')
  createEnrolment(@CurrentActor() actor: Actor, @Args('input') input: CreateEnrolmentInput) {
    return this.service.createEnrolment(input, actor.organisationId!);
  }

  @Mutation(() => EnrolmentModel, { description: 'Progress reported by the learning platform.' })
  @Allow('PROVIDER_STAFF')
  recordProgress(@Args('id', { type: () => ID }) id: string, @Args('input') input: RecordProgressInput) {
    return this.service.recordProgress(id, input);
  }

  @Mutation(() => AssessmentResultModel)
  @Allow('PROVIDER_STAFF')
  recordAssessmentResult(@Args('input') input: RecordAssessmentResultInput) {
    return this.service.recordAssessmentResult(input);
  }

  @Mutation(() => CertificateModel)
  @Allow('PROVIDER_STAFF')
  issueCertificate(@Args('input') input: IssueCertificateInput) {
    return this.service.issueCertificate(input);
  }
}

@Resolver(() => CertificateModel)
export class CertificateResolver {
  @ResolveField('withheld')
  withheld(c: CertificateEntity | Lean<CertificateEntity>, _args: unknown, ctx: GraphqlContext, info: GraphQLResolveInfo) {
    return withheldOf(ctx.view, info.parentType, c);
  }
}

function pointsOf(certificates: readonly Pick<CertificateEntity, 'accreditationPoints'>[]): number | null {
  const points = certificates.map((c) => c.accreditationPoints).filter((p): p is number => p !== null);
  return points.length ? points.reduce((a, b) => a + b, 0) : null;
}
