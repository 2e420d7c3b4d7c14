import { Args, Context, Info, Mutation, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Actor } from '../auth/actor';
import { Allow, CurrentActor } from '../auth/auth.decorators';
import { connectionInTurns } from '../common/graphql/in-turns';
import { selectedFieldNames } from '../common/graphql/selection';
import type { GraphqlContext } from '../sharing/gate/graphql-context';
import {
  DisclosedCategoryModel,
  DisclosedEnrolmentModel,
  DisclosureConnection,
  DisclosureModel,
  DisclosuresArgs,
  LedgerCheckpointModel,
  LedgerVerificationModel,
} from './disclosure.model';
import type { DisclosureEntity } from './disclosure.entity';
import { LedgerCheckpoints } from './ledger-checkpoint.service';
import { DisclosureQueryService } from './disclosure-query.service';
import { LedgerVerifierService } from './ledger-verifier.service';
import { LedgerNames, principalsOf, readableItems, wordsLocale, type ReadableCategory, type ReadableDisclosure, type ReadableEnrolment } from './readable-disclosure';

@Resolver(() => DisclosureModel)
export class DisclosureResolver {
  private readonly names: LedgerNames;

  constructor(
    private readonly ledger: DisclosureQueryService,
    private readonly verifier: LedgerVerifierService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    this.names = new LedgerNames(dataSource);
  }

  @Query(() => DisclosureConnection, {
    description: 'The disclosure ledger. Employers and brokers: what they received. Learners: everything disclosed about them. Staff: all.',
  })
  @Allow('PROVIDER_STAFF', 'EMPLOYER_CLIENT', 'BROKER_CLIENT', 'LEARNER')
  async disclosures(@CurrentActor() actor: Actor, @Args() args: DisclosuresArgs, @Context() ctx: GraphqlContext, @Info() info: GraphQLResolveInfo) {
    const [page, locale] = await Promise.all([this.ledger.list(actor, args), wordsLocale(this.dataSource, actor, args.locale)]);
    // Edges and nodes hold the same objects: each entry carries the language of its words.
    for (const d of page.nodes) Object.assign(d, { locale });
    // Names loaded ahead, entries handed to GraphQL in turns: no block the length of the page.
    await this.names.ahead(ctx.loaders, page.nodes, selectedFieldNames(info));
    return connectionInTurns(page);
  }

  // The field resolvers below take GraphQL's own (parent, args, context) and no parameter
  // decorators, so Nest calls them directly (see enrolments/enrolment.resolver.ts): a page of 500
  // entries resolves them thousands of times.

  @ResolveField('reason')
  reason(d: DisclosureEntity): string | null {
    if (d.kind !== 'ACCESS_ENDED' || !d.content) return null;
    return (JSON.parse(d.content) as { reason?: string }).reason ?? null;
  }

  @ResolveField('items')
  items(d: ReadableDisclosure) {
    return readableItems(d);
  }

  @ResolveField('recipient')
  recipient(d: ReadableDisclosure, _args: unknown, ctx: GraphqlContext) {
    return this.names.organisation(ctx.loaders, d.recipientId);
  }

  @ResolveField('onBehalfOf')
  onBehalfOf(d: ReadableDisclosure, _args: unknown, ctx: GraphqlContext) {
    const found = principalsOf(d).map((id) => this.names.organisation(ctx.loaders, id));
    const known = (all: ({ id: string; name: string } | null)[]) => all.filter((o) => o !== null);
    return found.some((o) => o instanceof Promise) ? Promise.all(found.map((o) => Promise.resolve(o))).then(known) : known(found as ({ id: string; name: string } | null)[]);
  }

  @Query(() => LedgerVerificationModel, { description: 'Re-computes every hash of the ledger and reports the first broken link.' })
  @Allow('PROVIDER_STAFF')
  verifyLedger() {
    return this.verifier.verify();
  }

  @Mutation(() => LedgerCheckpointModel, { description: "Takes a signed checkpoint of every ledger chain's head now (one is also taken on a schedule)." })
  @Allow('PROVIDER_STAFF')
  async checkpointLedger() {
    const taken = await new LedgerCheckpoints(this.dataSource).take();
    return { id: taken.id, createdAt: taken.createdAt, heads: taken.heads, kid: taken.kid };
  }
}

@Resolver(() => DisclosedEnrolmentModel)
export class DisclosedEnrolmentResolver {
  private readonly names: LedgerNames;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.names = new LedgerNames(dataSource);
  }

  @ResolveField('courseTitle')
  courseTitle(item: ReadableEnrolment, _args: unknown, ctx: GraphqlContext) {
    return this.names.courseTitle(ctx.loaders, item.courseId);
  }
}

@Resolver(() => DisclosedCategoryModel)
export class DisclosedCategoryResolver {
  private readonly names: LedgerNames;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.names = new LedgerNames(dataSource);
  }

  /**
   * The version the ledger names, whoever reads it: the learner, or the recipient (a broker: the
   * employer's agreement it read under), neither of whom sees another recipient's entries.
   */
  @ResolveField('agreement')
  agreement(c: ReadableCategory, _args: unknown, ctx: GraphqlContext) {
    return this.names.agreementVersion(ctx.loaders, c.agreementVersionId);
  }

  @ResolveField('onBehalfOfOrganisation')
  onBehalfOfOrganisation(c: ReadableCategory, _args: unknown, ctx: GraphqlContext) {
    return this.names.organisation(ctx.loaders, c.onBehalfOf);
  }
}
