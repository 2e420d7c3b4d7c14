import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { Actor } from '../auth/actor';
import { Allow, CurrentActor } from '../auth/auth.decorators';
import type { NotificationFrequency } from '../learners/learner.entity';
import { InboxService } from './inbox.service';
import { FailedDeliveryModel, NotificationConnection, NotificationFrequencyEnum, NotificationModel, NotificationsArgs } from './notification.model';

@Resolver(() => NotificationModel)
export class InboxResolver {
  constructor(private readonly inbox: InboxService) {}

  @Query(() => NotificationConnection, { description: 'Your inbox: every disclosure of your data and every change to what may be shared, newest last.' })
  @Allow('LEARNER')
  notifications(@CurrentActor() actor: Actor, @Args() args: NotificationsArgs) {
    return this.inbox.list(actor.learnerId!, args);
  }

  @Query(() => Int)
  @Allow('LEARNER')
  unreadNotificationCount(@CurrentActor() actor: Actor) {
    return this.inbox.unreadCount(actor.learnerId!);
  }

  @Mutation(() => Int, { description: 'Marks these (or, without ids, all) of your notifications read; returns how many changed.' })
  @Allow('LEARNER')
  markNotificationsRead(@CurrentActor() actor: Actor, @Args('ids', { type: () => [ID], nullable: true }) ids?: string[] | null) {
    return this.inbox.markRead(actor.learnerId!, ids ?? null);
  }

  @Mutation(() => NotificationFrequencyEnum, { description: 'How often you want email: IMMEDIATE, DAILY or WEEKLY.' })
  @Allow('LEARNER')
  setNotificationFrequency(@CurrentActor() actor: Actor, @Args('frequency', { type: () => NotificationFrequencyEnum }) frequency: NotificationFrequency) {
    return this.inbox.setFrequency(actor.learnerId!, frequency);
  }

  @Query(() => [FailedDeliveryModel], { description: 'Email deliveries that failed after every retry.' })
  @Allow('PROVIDER_STAFF')
  failedNotificationDeliveries() {
    return this.inbox.failedDeliveries();
  }

  @Mutation(() => Int, { description: 'Queues failed deliveries again (these, or all); returns how many.' })
  @Allow('PROVIDER_STAFF')
  redriveFailedNotificationDeliveries(@Args('jobIds', { type: () => [ID], nullable: true }) jobIds?: string[] | null) {
    return this.inbox.redrive(jobIds ?? null);
  }
}
