import { Module } from '@nestjs/common';
import { OrganisationsModule } from '../organisations/organisations.module';
import { LearnerResolver } from './learner.resolver';
import { LearnerService } from './learner.service';

@Module({
  imports: [OrganisationsModule],
  providers: [LearnerService, LearnerResolver],
  exports: [LearnerService],
})
export class LearnersModule {}
