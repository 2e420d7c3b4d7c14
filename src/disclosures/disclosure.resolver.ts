import { Args, Mutation, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Actor } from '../auth/actor';
import { Allow, CurrentActor } from '../auth/auth.decorators';
import { DisclosureConnection, DisclosureModel, DisclosuresArgs, LedgerCheckpointModel, LedgerVerificationModel } from './disclosure.model';
import { LedgerCheckpoints } from './ledger-checkpoint.service';
import { DisclosureQueryService } from './disclosure-query.service';
import type { DisclosureEntity } from './disclosure.entity';
import { itemsOfContent, perCategory } from './disclosure-item';
import { LedgerVerifierService } from './ledger-verifier.service';

@Resolver(() => DisclosureModel)
export class DisclosureResolver {
  constructor(
    private readonly ledger: DisclosureQueryService,
    private readonly verifier: LedgerVerifierService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  @Query(() => DisclosureConnection, {
    description: 'The disclosure ledger. Employers and brokers: what they received. Learners: everything disclosed about them. Staff: all.',
  })
  @Allow('PROVIDER_STAFF', 'EMPLOYER_CLIENT', 'BROKER_CLIENT', 'LEARNER')
  disclosures(@CurrentActor() actor: Actor, @Args() args: DisclosuresArgs) {
    return this.ledger.list(actor, args);
  }

  @ResolveField('items')
  items(d: DisclosureEntity) {
    return perCategory(itemsOfContent(d.content));
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
