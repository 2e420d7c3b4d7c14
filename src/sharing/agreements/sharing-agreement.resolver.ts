import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { Actor } from '../../auth/actor';
import { Allow, CurrentActor } from '../../auth/auth.decorators';
import { ChangeSharingAgreementInput, CreateSharingAgreementInput, SharingAgreementModel, SharingAgreementsArgs } from './sharing-agreement.model';
import { SharingAgreementService } from './sharing-agreement.service';

@Resolver(() => SharingAgreementModel)
export class SharingAgreementResolver {
  constructor(private readonly agreements: SharingAgreementService) {}

  @Query(() => [SharingAgreementModel], {
    description: 'Staff: all. Employers and brokers: those naming them as recipient. Learners: those that could cover them.',
  })
  @Allow('PROVIDER_STAFF', 'EMPLOYER_CLIENT', 'BROKER_CLIENT', 'LEARNER')
  sharingAgreements(@CurrentActor() actor: Actor, @Args() args: SharingAgreementsArgs) {
    return this.agreements.list(actor, args);
  }

  @Mutation(() => SharingAgreementModel, {
    description: 'PROCESSOR and LEGITIMATE_INTEREST: provider staff. STUDY_CONTRACT: provider staff, or the employer for its own employee.',
  })
  @Allow('PROVIDER_STAFF', 'EMPLOYER_CLIENT')
  createSharingAgreement(@CurrentActor() actor: Actor, @Args('input') input: CreateSharingAgreementInput) {
    return this.agreements.create(actor, input);
  }

  @Mutation(() => SharingAgreementModel, { description: 'Makes a new version; the previous one stays readable.' })
  @Allow('PROVIDER_STAFF', 'EMPLOYER_CLIENT')
  changeSharingAgreement(
    @CurrentActor() actor: Actor,
    @Args('agreementId', { type: () => ID }) agreementId: string,
    @Args('input') input: ChangeSharingAgreementInput,
  ) {
    return this.agreements.change(actor, agreementId, input);
  }

  @Mutation(() => SharingAgreementModel)
  @Allow('PROVIDER_STAFF', 'EMPLOYER_CLIENT')
  revokeSharingAgreement(@CurrentActor() actor: Actor, @Args('agreementId', { type: () => ID }) agreementId: string) {
    return this.agreements.revoke(actor, agreementId);
  }
}
