import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { Actor } from '../auth/actor';
import { Allow, CurrentActor } from '../auth/auth.decorators';
import { CreateOrganisationInput, OrganisationsArgs, UpdateOrganisationInput } from './organisation.inputs';
import { OrganisationConnection, OrganisationModel } from './organisation.model';
import { OrganisationService } from './organisation.service';

@Resolver(() => OrganisationModel)
export class OrganisationResolver {
  constructor(private readonly service: OrganisationService) {}

  @Query(() => OrganisationConnection, { description: 'All organisations (provider staff).' })
  @Allow('PROVIDER_STAFF')
  organisations(@Args() args: OrganisationsArgs) {
    return this.service.list(args);
  }

  @Query(() => OrganisationModel, { description: "An organisation: staff read any, a client its own." })
  @Allow('PROVIDER_STAFF', 'EMPLOYER_CLIENT', 'BROKER_CLIENT')
  organisation(@CurrentActor() actor: Actor, @Args('id', { type: () => ID }) id: string) {
    return this.service.getVisible(actor, id);
  }

  @Mutation(() => OrganisationModel)
  @Allow('PROVIDER_STAFF')
  createOrganisation(@Args('input') input: CreateOrganisationInput) {
    return this.service.create(input);
  }

  @Mutation(() => OrganisationModel)
  @Allow('PROVIDER_STAFF')
  updateOrganisation(@Args('id', { type: () => ID }) id: string, @Args('input') input: UpdateOrganisationInput) {
    return this.service.update(id, input);
  }
}
