import { Module } from '@nestjs/common';
import { DisclosuresModule } from '../disclosures/disclosures.module';
import { OutboxModule } from '../outbox/outbox.module';
import { AccessEndedService } from './access/access-ended.service';
import { EventEmitter } from './event-emitter';
import { eventsFactsLoaderProvider } from './events-facts';
import { EventsJobs } from './events.jobs';
import { EventFeedResolver } from './feed/event-feed.resolver';
import { EventFeedService } from './feed/event-feed.service';
import { WebhookDispatcher } from './webhooks/webhook-dispatcher';
import { WebhookEndpointResolver } from './webhooks/webhook-endpoint.resolver';
import { WebhookEndpointService } from './webhooks/webhook-endpoint.service';

/** Events for recipients through the API: the feed, tombstones, webhook endpoints (docs/events.md). */
@Module({
  providers: [EventFeedService, EventFeedResolver, WebhookEndpointService, WebhookEndpointResolver],
})
export class EventsModule {}

/** The events' background work, for wherever workers run (the API by default, or `npm run worker`). */
@Module({
  imports: [OutboxModule, DisclosuresModule],
  providers: [
    eventsFactsLoaderProvider,
    EventEmitter,
    AccessEndedService,
    WebhookDispatcher,
    EventsJobs,
  ],
  exports: [EventEmitter, AccessEndedService, WebhookDispatcher, EventsJobs],
})
export class EventsJobsModule {}
