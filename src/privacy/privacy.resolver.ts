import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { Actor } from '../auth/actor';
import { Allow, CurrentActor } from '../auth/auth.decorators';
import { DomainError } from '../common/errors/domain-error';
import { isUuid } from '../common/uuid';
import { SharingAgreementModel, GrantConsentInput } from '../sharing/agreements/sharing-agreement.model';
import { SharingAgreementService } from '../sharing/agreements/sharing-agreement.service';
import { ObjectionModel, RestrictionModel } from './privacy.model';
import { PrivacyService } from './privacy.service';

/** The learner's own levers (docs/sharing-rules.md rules 7 and 8): consent, objection, restriction. */
@Resolver()
export class PrivacyResolver {
  constructor(
    private readonly privacy: PrivacyService,
    private readonly agreements: SharingAgreementService,
  ) {}

  @Mutation(() => SharingAgreementModel, { description: 'Consent to share chosen categories with an employer or broker. The consent text version and time are kept as proof.' })
  @Allow('LEARNER')
  grantConsent(@CurrentActor() actor: Actor, @Args('input') input: GrantConsentInput) {
    return this.agreements.grantConsent(actor, input);
  }

  @Mutation(() => SharingAgreementModel, { description: 'Withdraw a consent; effective for every request that starts after this returns.' })
  @Allow('LEARNER')
  withdrawConsent(@CurrentActor() actor: Actor, @Args('agreementId', { type: () => ID }) agreementId: string) {
    return this.agreements.withdrawConsent(actor, agreementId);
  }

  @Mutation(() => ObjectionModel, { description: "Object to an employer's legitimate interest: stops all its legitimate-interest sharing about you until lifted." })
  @Allow('LEARNER')
  objectToLegitimateInterest(
    @CurrentActor() actor: Actor,
    @Args('agreementId', { type: () => ID }) agreementId: string,
    @Args('grounds', { type: () => String, nullable: true }) grounds?: string | null,
  ) {
    if (grounds && grounds.length > 2000) throw DomainError.badInput('grounds', 'must be at most 2000 characters');
    return this.privacy.object(actor, agreementId, grounds ?? null);
  }

  @Mutation(() => ObjectionModel)
  @Allow('LEARNER')
  liftObjection(@CurrentActor() actor: Actor, @Args('objectionId', { type: () => ID }) objectionId: string) {
    return this.privacy.liftObjection(actor, objectionId);
  }

  @Mutation(() => RestrictionModel, { description: 'Restrict processing: nothing about you is shared under any basis until lifted.' })
  @Allow('LEARNER')
  requestRestriction(@CurrentActor() actor: Actor, @Args('reason', { type: () => String, nullable: true }) reason?: string | null) {
    if (reason && reason.length > 2000) throw DomainError.badInput('reason', 'must be at most 2000 characters');
    return this.privacy.restrict(actor, reason ?? null);
  }

  @Mutation(() => RestrictionModel)
  @Allow('LEARNER')
  liftRestriction(@CurrentActor() actor: Actor) {
    return this.privacy.liftRestriction(actor);
  }

  @Query(() => [ObjectionModel], { description: 'A learner: their own. Staff: the given learner\'s.' })
  @Allow('LEARNER', 'PROVIDER_STAFF')
  objections(@CurrentActor() actor: Actor, @Args('learnerId', { type: () => ID, nullable: true }) learnerId?: string) {
    return this.privacy.objections(ownOrGiven(actor, learnerId));
  }

  @Query(() => [RestrictionModel], { description: 'A learner: their own. Staff: the given learner\'s.' })
  @Allow('LEARNER', 'PROVIDER_STAFF')
  restrictions(@CurrentActor() actor: Actor, @Args('learnerId', { type: () => ID, nullable: true }) learnerId?: string) {
    return this.privacy.restrictions(ownOrGiven(actor, learnerId));
  }
}

function ownOrGiven(actor: Actor, learnerId: string | undefined | null): string {
  if (actor.kind === 'LEARNER') return actor.learnerId!;
  if (!learnerId) throw DomainError.badInput('learnerId', 'is required for provider staff');
  if (!isUuid(learnerId)) throw DomainError.notFound('Learner');
  return learnerId;
}
