import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { Actor } from '../../auth/actor';
import { Allow, CurrentActor } from '../../auth/auth.decorators';
import {
  CreateWebhookEndpointInput,
  UpdateWebhookEndpointInput,
  WebhookDeliveriesArgs,
  WebhookDeliveryConnection,
  WebhookEndpointModel,
  WebhookEndpointWithSecretModel,
} from './webhook.model';
import { WebhookEndpointService } from './webhook-endpoint.service';

/** Webhook endpoints of the calling employer or broker (docs/events.md, "Subscribing"). */
@Resolver(() => WebhookEndpointModel)
export class WebhookEndpointResolver {
  constructor(private readonly endpoints: WebhookEndpointService) {}

  @Query(() => [WebhookEndpointModel], { description: 'Your webhook endpoints.' })
  @Allow('EMPLOYER_CLIENT', 'BROKER_CLIENT')
  webhookEndpoints(@CurrentActor() actor: Actor) {
    return this.endpoints.list(actor.organisationId!);
  }

  @Query(() => WebhookEndpointModel)
  @Allow('EMPLOYER_CLIENT', 'BROKER_CLIENT')
  webhookEndpoint(@CurrentActor() actor: Actor, @Args('id', { type: () => ID }) id: string) {
    return this.endpoints.get(actor.organisationId!, id);
  }

  @Query(() => WebhookDeliveryConnection, {
    description:
      'Deliveries to one of your endpoints, oldest first; `status: FAILED` lists its dead letters.',
  })
  @Allow('EMPLOYER_CLIENT', 'BROKER_CLIENT')
  webhookDeliveries(@CurrentActor() actor: Actor, @Args() args: WebhookDeliveriesArgs) {
    return this.endpoints.deliveries(actor.organisationId!, args);
  }

  @Mutation(() => WebhookEndpointWithSecretModel, {
    description: 'Subscribes an endpoint. The signing secret is in the answer, and only there.',
  })
  @Allow('EMPLOYER_CLIENT', 'BROKER_CLIENT')
  createWebhookEndpoint(
    @CurrentActor() actor: Actor,
    @Args('input') input: CreateWebhookEndpointInput,
  ) {
    return this.endpoints.create(actor.organisationId!, input);
  }

  @Mutation(() => WebhookEndpointModel, {
    description: 'Changes an endpoint; `enabled: true` re-enables one that was disabled.',
  })
  @Allow('EMPLOYER_CLIENT', 'BROKER_CLIENT')
  updateWebhookEndpoint(
    @CurrentActor() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: UpdateWebhookEndpointInput,
  ) {
    return this.endpoints.update(actor.organisationId!, id, input);
  }

  @Mutation(() => WebhookEndpointWithSecretModel, {
    description:
      'A new signing secret (in the answer, only there). The previous one signs beside it for `overlapHours` (default 24, at most 168): verify with either meanwhile.',
  })
  @Allow('EMPLOYER_CLIENT', 'BROKER_CLIENT')
  rotateWebhookSecret(
    @CurrentActor() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
    @Args('overlapHours', { type: () => Int, defaultValue: 24 }) overlapHours: number,
  ) {
    return this.endpoints.rotateSecret(actor.organisationId!, id, overlapHours);
  }

  @Mutation(() => ID, { description: 'Deletes an endpoint and its deliveries.' })
  @Allow('EMPLOYER_CLIENT', 'BROKER_CLIENT')
  deleteWebhookEndpoint(@CurrentActor() actor: Actor, @Args('id', { type: () => ID }) id: string) {
    return this.endpoints.remove(actor.organisationId!, id);
  }

  @Mutation(() => Int, {
    description:
      'Dead letters of an endpoint (these, or all) queued again with fresh attempts; returns how many.',
  })
  @Allow('EMPLOYER_CLIENT', 'BROKER_CLIENT')
  redriveWebhookDeliveries(
    @CurrentActor() actor: Actor,
    @Args('endpointId', { type: () => ID }) endpointId: string,
    @Args('deliveryIds', { type: () => [ID], nullable: true }) deliveryIds?: string[] | null,
  ) {
    return this.endpoints.redrive(actor.organisationId!, endpointId, deliveryIds ?? null);
  }
}
