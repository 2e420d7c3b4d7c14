import { Args, Query, Resolver } from '@nestjs/graphql';
import type { Actor } from '../../auth/actor';
import { Allow, CurrentActor } from '../../auth/auth.decorators';
import { AccessEndedArgs, EventConnection, EventsArgs } from '../event.model';
import { EventFeedService } from './event-feed.service';

@Resolver()
export class EventFeedResolver {
  constructor(private readonly feed: EventFeedService) {}

  @Query(() => EventConnection, {
    description:
      'Your event feed, oldest first, kept 30 days: the same events as your webhooks, for catching up after downtime or instead of webhooks. Keep the last endCursor and continue from it (docs/events.md).',
  })
  @Allow('EMPLOYER_CLIENT', 'BROKER_CLIENT')
  events(@CurrentActor() actor: Actor, @Args() args: EventsArgs) {
    return this.feed.page(actor.organisationId!, args);
  }

  @Query(() => EventConnection, {
    description:
      'Tombstones for incremental sync: what you must delete since your previous sync (access.ended events written at or after `since`) — which learner, enrolment and categories, with the reason as you may be told it. Apply them with the changes from `learners(updatedSince:)` (docs/events.md, "Access ended").',
  })
  @Allow('EMPLOYER_CLIENT', 'BROKER_CLIENT')
  accessEnded(@CurrentActor() actor: Actor, @Args() args: AccessEndedArgs) {
    return this.feed.page(actor.organisationId!, { ...args, types: ['access.ended'] });
  }
}
