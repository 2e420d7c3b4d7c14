import { Module } from '@nestjs/common';
import { OutboxModule } from '../outbox/outbox.module';
import { LedgerJobsModule } from './ledger-jobs.module';
import { DisclosureLedgerService } from './disclosure-ledger.service';
import { DisclosureQueryService } from './disclosure-query.service';
import { DisclosedCategoryResolver, DisclosedEnrolmentResolver, DisclosureResolver } from './disclosure.resolver';
import { LedgerVerifierService } from './ledger-verifier.service';

@Module({
  imports: [OutboxModule, LedgerJobsModule],
  providers: [DisclosureLedgerService, DisclosureQueryService, LedgerVerifierService, DisclosureResolver, DisclosedEnrolmentResolver, DisclosedCategoryResolver],
  exports: [DisclosureLedgerService, LedgerVerifierService],
})
export class DisclosuresModule {}
