import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { Actor } from '../auth/actor';
import { Allow, CurrentActor } from '../auth/auth.decorators';
import { ChangeBrokerMandateInput, CreateBrokerMandateInput } from './broker-mandate.inputs';
import { BrokerMandateModel } from './broker-mandate.model';
import { BrokerMandateService } from './broker-mandate.service';

@Resolver(() => BrokerMandateModel)
export class BrokerMandateResolver {
  constructor(private readonly mandates: BrokerMandateService) {}

  @Query(() => [BrokerMandateModel], { description: 'Mandates: staff all, an employer those it gave, a broker those it holds.' })
  @Allow('PROVIDER_STAFF', 'EMPLOYER_CLIENT', 'BROKER_CLIENT')
  brokerMandates(@CurrentActor() actor: Actor) {
    return this.mandates.list(actor);
  }

  @Mutation(() => BrokerMandateModel)
  @Allow('PROVIDER_STAFF')
  createBrokerMandate(@Args('input') input: CreateBrokerMandateInput) {
    return this.mandates.create(input);
  }

  @Mutation(() => BrokerMandateModel, { description: 'Change validity, permissions or categories; takes effect for the next request.' })
  @Allow('PROVIDER_STAFF')
  changeBrokerMandate(@Args('id', { type: () => ID }) id: string, @Args('input') input: ChangeBrokerMandateInput) {
    return this.mandates.change(id, input);
  }

  @Mutation(() => BrokerMandateModel)
  @Allow('PROVIDER_STAFF')
  revokeBrokerMandate(@Args('id', { type: () => ID }) id: string) {
    return this.mandates.revoke(id);
  }
}
