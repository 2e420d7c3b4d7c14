import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { Actor } from './actor';
import { ApiClientModel, CreateApiClientInput, CreatedApiClient, ViewerModel } from './api-client.model';
import { ApiClientService } from './api-client.service';
import { Allow, CurrentActor } from './auth.decorators';

@Resolver(() => ApiClientModel)
export class ApiClientResolver {
  constructor(private readonly clients: ApiClientService) {}

  @Query(() => ViewerModel)
  @Allow('PROVIDER_STAFF', 'EMPLOYER_CLIENT', 'BROKER_CLIENT', 'LEARNER')
  viewer(@CurrentActor() actor: Actor): ViewerModel {
    return { kind: actor.kind, subject: actor.subject, organisationId: actor.organisationId, learnerId: actor.learnerId };
  }

  @Query(() => [ApiClientModel], { description: "API clients: staff all (or one organisation's), a client its own organisation's." })
  @Allow('PROVIDER_STAFF', 'EMPLOYER_CLIENT', 'BROKER_CLIENT')
  apiClients(@CurrentActor() actor: Actor, @Args('organisationId', { type: () => ID, nullable: true }) organisationId?: string) {
    return this.clients.list(actor, organisationId ?? undefined);
  }

  @Mutation(() => CreatedApiClient)
  @Allow('PROVIDER_STAFF')
  createApiClient(@CurrentActor() actor: Actor, @Args('input') input: CreateApiClientInput) {
    return this.clients.create(input.organisationId, input.name, actor.subject);
  }

  @Mutation(() => ApiClientModel, { description: 'Revoked clients get no new tokens and their current tokens stop working.' })
  @Allow('PROVIDER_STAFF')
  revokeApiClient(@Args('id', { type: () => ID }) id: string) {
    return this.clients.revoke(id);
  }
}
