import { Module } from '@nestjs/common';
import { OutboxModule } from '../outbox/outbox.module';
import { RequestsModule } from '../requests/requests.module';
import { SharingAgreementResolver } from './agreements/sharing-agreement.resolver';
import { SharingAgreementService } from './agreements/sharing-agreement.service';
import { ExplainResolver } from './explain/explain.resolver';
import { ExplainService } from './explain/explain.service';
import { GateFactsLoader } from './gate/gate-facts.loader';

/** Agreements (the four bases), the gate (facts, rules, the request view) and explain. */
@Module({
  imports: [OutboxModule, RequestsModule],
  providers: [GateFactsLoader, SharingAgreementService, SharingAgreementResolver, ExplainService, ExplainResolver],
  exports: [GateFactsLoader, SharingAgreementService],
})
export class SharingModule {}
