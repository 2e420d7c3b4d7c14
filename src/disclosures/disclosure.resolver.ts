import { Args, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { Actor } from '../auth/actor';
import { Allow, CurrentActor } from '../auth/auth.decorators';
import { DisclosureConnection, DisclosureModel, DisclosuresArgs, LedgerVerificationModel } from './disclosure.model';
import { DisclosureQueryService } from './disclosure-query.service';
import type { DisclosureEntity } from './disclosure.entity';
import { itemsOfContent, perCategory } from './disclosure-item';
import { LedgerVerifierService } from './ledger-verifier.service';

@Resolver(() => DisclosureModel)
export class DisclosureResolver {
  constructor(
    private readonly ledger: DisclosureQueryService,
    private readonly verifier: LedgerVerifierService,
  ) {}

  @Query(() => DisclosureConnection, {
    description: 'The disclosure ledger. Employers and brokers: what they received. Learners: everything disclosed about them. Staff: all.',
  })
  @Allow('PROVIDER_STAFF', 'EMPLOYER_CLIENT', 'BROKER_CLIENT', 'LEARNER')
  disclosures(@CurrentActor() actor: Actor, @Args() args: DisclosuresArgs) {
    return this.ledger.list(actor, args);
  }

  @ResolveField('items')
  items(d: DisclosureEntity) {
    return perCategory(itemsOfContent(d.content));
  }

  @Query(() => LedgerVerificationModel, { description: 'Re-computes every hash of the ledger and reports the first broken link.' })
  @Allow('PROVIDER_STAFF')
  verifyLedger() {
    return this.verifier.verify();
  }
}
