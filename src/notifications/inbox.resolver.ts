import { Args, Context, ID, Info, Int, Mutation, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Actor } from '../auth/actor';
import { Allow, CurrentActor } from '../auth/auth.decorators';
import { connectionInTurns } from '../common/graphql/in-turns';
import { selectedFieldNames } from '../common/graphql/selection';
import { BASIS_DESCRIPTIONS, BASIS_LABELS } from '../common/labels';
import type { DisclosureEntity } from '../disclosures/disclosure.entity';
import { LedgerNames, readableOf, wordsLocale, type ReadableDisclosure } from '../disclosures/readable-disclosure';
import type { NotificationFrequency } from '../learners/learner.entity';
import type { GraphqlContext } from '../sharing/gate/graphql-context';
import { InboxService, type InboxItem } from './inbox.service';
import { FailedDeliveryModel, NotificationConnection, NotificationFrequencyEnum, NotificationModel, NotificationsArgs } from './notification.model';

/** Rows that name a ledger entry: a disclosure, or the notice that access ended. */
function hasEntry(n: InboxItem): boolean {
  return (n.kind === 'DISCLOSURE' || n.kind === 'ACCESS_ENDED') && !!n.disclosureId;
}

@Resolver(() => NotificationModel)
export class InboxResolver {
  private readonly names: LedgerNames;

  constructor(
    private readonly inbox: InboxService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    this.names = new LedgerNames(dataSource);
  }

  @Query(() => NotificationConnection, { description: 'Your inbox: every disclosure of your data and every change to what may be shared, newest last.' })
  @Allow('LEARNER')
  async notifications(@CurrentActor() actor: Actor, @Args() args: NotificationsArgs, @Context() ctx: GraphqlContext, @Info() info: GraphQLResolveInfo) {
    const locale = await wordsLocale(this.dataSource, actor, args.locale);
    const page = await this.inbox.list(actor.learnerId!, args, locale);
    // The page's entries and names loaded ahead, rows handed to GraphQL in turns (see
    // disclosures/readable-disclosure.ts): no block the length of the page.
    const selected = selectedFieldNames(info);
    const entryIds = selected.has('disclosure') || selected.has('recipient') ? page.nodes.flatMap((n) => (hasEntry(n) ? [n.disclosureId!] : [])) : [];
    // Only the learner's own entries are read further, as the `disclosure` field checks too.
    const entries = (await this.names.disclosuresAhead(ctx.loaders, entryIds)).filter((d) => d.learnerId === actor.learnerId);
    await this.names.ahead(ctx.loaders, entries.map((d) => readableOf(d, locale)), selected, {
      organisations: page.nodes.flatMap((n) => [n.recipientId, n.payload.employerId as string | undefined]),
      courses: page.nodes.map((n) => n.payload.courseId as string | undefined),
    });
    return connectionInTurns(page);
  }

  // Field resolvers in GraphQL's own (parent, args, context) form, batched through the request's
  // loaders (see disclosures/readable-disclosure.ts): a page of the inbox costs a query per kind
  // of name, not one per row.

  /**
   * The entry is read with its own notification, which the ledger wrote in the same transaction
   * for the same learner; the learner check only makes that explicit.
   */
  @ResolveField('disclosure')
  disclosure(n: InboxItem, _args: unknown, ctx: GraphqlContext): ReadableDisclosure | null | Promise<ReadableDisclosure | null> {
    if (!hasEntry(n)) return null;
    // One readable object per entry and language (its content parsed once for all its fields).
    const own = (d: DisclosureEntity | null) => (d && d.learnerId === n.learnerId ? readableOf(d, n.locale) : null);
    const d = this.names.disclosure(ctx.loaders, n.disclosureId!);
    return d instanceof Promise ? d.then(own) : own(d);
  }

  @ResolveField('recipient')
  recipient(n: InboxItem, args: unknown, ctx: GraphqlContext) {
    // A DISCLOSURE names its recipient in the ledger entry, the other kinds in their payload.
    if (n.recipientId) return this.names.organisation(ctx.loaders, n.recipientId);
    const d = this.disclosure(n, args, ctx);
    return d instanceof Promise ? d.then((e) => this.names.organisation(ctx.loaders, e?.recipientId)) : this.names.organisation(ctx.loaders, d?.recipientId);
  }

  @ResolveField('onBehalfOf')
  onBehalfOf(n: InboxItem, _args: unknown, ctx: GraphqlContext) {
    return this.names.organisation(ctx.loaders, n.payload.employerId as string | undefined);
  }

  @ResolveField('courseTitle')
  courseTitle(n: InboxItem, _args: unknown, ctx: GraphqlContext) {
    return this.names.courseTitle(ctx.loaders, n.payload.courseId as string | undefined);
  }

  @ResolveField('basisLabel')
  basisLabel(n: InboxItem) {
    return n.basis ? BASIS_LABELS[n.locale][n.basis] : null;
  }

  @ResolveField('basisDescription')
  basisDescription(n: InboxItem) {
    return n.basis ? BASIS_DESCRIPTIONS[n.locale][n.basis] : null;
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
