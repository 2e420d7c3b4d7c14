import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module';
import { ExplainService } from './explain.service';
import { GateFactsLoader } from './gate-facts.loader';
import { SharedLearnerService } from './shared-learner.service';
import { SharingAgreementService } from './sharing-agreement.service';
import { SharingResolver } from './sharing.resolver';

@Module({
  imports: [NotificationsModule],
  providers: [GateFactsLoader, SharedLearnerService, SharingAgreementService, ExplainService, SharingResolver],
  exports: [GateFactsLoader, SharedLearnerService, SharingAgreementService],
})
export class SharingModule {}
