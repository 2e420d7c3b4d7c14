import { ArgsType, Field, ID, ObjectType } from '@nestjs/graphql';
import { ArrayUnique, IsDate, IsIn, IsOptional } from 'class-validator';
import { DisclosureCategoryEnum, type DisclosureCategory } from '../common/disclosure-category';
import { Connection, PageArgs } from '../common/pagination/connection';
import {
  AccessEndedReasonEnum,
  EVENT_TYPES,
  EventTypeEnum,
  type AccessEndedReason,
  type EventType,
} from './event-types';

@ObjectType('Event', {
  description:
    'Something changed that a recipient may want to fetch again (docs/events.md). Thin: ids, categories and times, never a shared value; the data comes from the gated API, which ledgers and notifies as usual.',
})
export class EventModel {
  @Field(() => ID, { description: 'Also the `webhook-id` of its deliveries: deduplicate on it.' })
  id: string;

  @Field(() => EventTypeEnum)
  type: EventType;

  @Field({ description: 'The type as a webhook payload names it, e.g. "enrolment.completed".' })
  typeName: string;

  @Field(() => ID, { nullable: true })
  learnerId: string | null;

  @Field(() => ID, { nullable: true })
  enrolmentId: string | null;

  @Field(() => ID, { nullable: true })
  courseId: string | null;

  @Field(() => [DisclosureCategoryEnum], {
    description:
      'The categories it concerns: those that changed and are shared with you (access.ended: those to delete).',
  })
  categories: DisclosureCategory[];

  @Field(() => AccessEndedReasonEnum, {
    nullable: true,
    description: 'access.ended: why, as you may be told.',
  })
  reason: AccessEndedReason | null;

  @Field(() => ID, { nullable: true, description: 'webhook_endpoint.disabled: the endpoint.' })
  endpointId: string | null;

  @Field({ description: 'When the change happened.' })
  occurredAt: Date;

  @Field({ description: 'When the event was written (its place in the feed).' })
  createdAt: Date;
}

@ObjectType()
export class EventConnection extends Connection(EventModel) {}

@ArgsType()
export class EventsArgs extends PageArgs {
  @Field(() => [EventTypeEnum], { nullable: true, description: 'Only these types.' })
  @IsOptional()
  @ArrayUnique()
  @IsIn(EVENT_TYPES, { each: true })
  types?: EventType[];
}

@ArgsType()
export class AccessEndedArgs extends PageArgs {
  @Field({
    description: 'Tombstones written at or after this time (the time of your previous sync).',
  })
  @IsDate()
  since: Date;
}
