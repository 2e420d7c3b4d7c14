import { Module } from '@nestjs/common';
import { GateFactsLoader } from './gate-facts.loader';
import { SharedLearnerService } from './shared-learner.service';

@Module({
  providers: [GateFactsLoader, SharedLearnerService],
  exports: [GateFactsLoader, SharedLearnerService],
})
export class SharingModule {}
