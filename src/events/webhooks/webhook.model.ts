import { ArgsType, Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import {
  ArrayNotEmpty,
  ArrayUnique,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { enumOf } from '../../common/graphql/enum-of';
import { Connection, PageArgs } from '../../common/pagination/connection';
import { EVENT_TYPES, EventTypeEnum, type EventType } from '../event-types';
import { DELIVERY_STATUSES, type DeliveryStatus } from './webhook-delivery.entity';

export const DeliveryStatusEnum = enumOf(
  DELIVERY_STATUSES,
  'WebhookDeliveryStatus',
  'PENDING (due or waiting for a retry), SENDING, DELIVERED, FAILED (dead: every attempt failed; re-drivable).',
);

@ObjectType('WebhookEndpoint', {
  description: 'Where your events are posted (docs/events.md, "Subscribing").',
})
export class WebhookEndpointModel {
  @Field(() => ID)
  id: string;

  @Field()
  url: string;

  @Field(() => String, { nullable: true })
  description: string | null;

  @Field(() => [EventTypeEnum])
  eventTypes: EventType[];

  @Field({
    description:
      'False after too many failures in a row (see disabledReason) or when you disabled it; events are not queued for it meanwhile (read them from the feed).',
  })
  enabled: boolean;

  @Field(() => String, { nullable: true })
  disabledReason: string | null;

  @Field(() => Int, { description: 'Deliveries in flight to it at most.' })
  maxInFlight: number;

  @Field(() => Int, { description: 'Failed attempts since the last success.' })
  consecutiveFailures: number;

  @Field(() => Date, {
    nullable: true,
    description: 'During a secret rotation: until when the previous secret signs too.',
  })
  previousSecretValidUntil: Date | null;

  @Field()
  createdAt: Date;

  @Field()
  updatedAt: Date;
}

@ObjectType('WebhookEndpointWithSecret')
export class WebhookEndpointWithSecretModel {
  @Field(() => WebhookEndpointModel)
  endpoint: WebhookEndpointModel;

  @Field({
    description:
      'The signing secret (Standard Webhooks, `whsec_…`). Shown this once: store it now.',
  })
  secret: string;
}

@ObjectType('WebhookDelivery')
export class WebhookDeliveryModel {
  @Field(() => ID)
  id: string;

  @Field(() => ID, { description: 'The event, and the `webhook-id` of every attempt.' })
  eventId: string;

  @Field(() => EventTypeEnum)
  eventType: EventType;

  @Field(() => DeliveryStatusEnum)
  status: DeliveryStatus;

  @Field(() => Int)
  attempts: number;

  @Field({ description: 'PENDING: when the next attempt is due.' })
  nextAttemptAt: Date;

  @Field(() => Date, { nullable: true })
  lastAttemptAt: Date | null;

  @Field(() => Int, {
    nullable: true,
    description: 'The HTTP status of the last attempt (null: no answer).',
  })
  lastStatus: number | null;

  @Field(() => String, {
    nullable: true,
    description:
      'What went wrong at the last attempt (the start of your answer, a timeout, a refused address).',
  })
  lastError: string | null;

  @Field(() => Date, { nullable: true })
  deliveredAt: Date | null;

  @Field()
  createdAt: Date;
}

@ObjectType()
export class WebhookDeliveryConnection extends Connection(WebhookDeliveryModel) {}

@InputType()
export class CreateWebhookEndpointInput {
  @Field({
    description: 'https (in production); plain http only to a loopback address, for local testing.',
  })
  @IsString()
  url: string;

  @Field(() => [EventTypeEnum])
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(EVENT_TYPES, { each: true })
  eventTypes: EventType[];

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  description?: string | null;

  @Field(() => Boolean, { nullable: true, defaultValue: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @Field(() => Int, {
    nullable: true,
    description:
      "Deliveries in flight at most (default and ceiling: the server's WEBHOOK_MAX_IN_FLIGHT).",
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(256)
  maxInFlight?: number | null;
}

@InputType()
export class UpdateWebhookEndpointInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  url?: string | null;

  @Field(() => [EventTypeEnum], { nullable: true })
  @IsOptional()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(EVENT_TYPES, { each: true })
  eventTypes?: EventType[] | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  description?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'true re-enables a disabled endpoint (its run of failures starts again at 0).',
  })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean | null;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(256)
  maxInFlight?: number | null;
}

@ArgsType()
export class WebhookDeliveriesArgs extends PageArgs {
  @Field(() => ID)
  @IsUUID()
  endpointId: string;

  @Field(() => DeliveryStatusEnum, { nullable: true })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: DeliveryStatus;
}
