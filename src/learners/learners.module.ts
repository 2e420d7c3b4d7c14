import { Module } from '@nestjs/common';
import { EnrolmentsModule } from '../enrolments/enrolments.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { SharingModule } from '../sharing/sharing.module';
import { StaffPage } from './staff-page';
import { LearnerResolver } from './learner.resolver';
import { LearnerService } from './learner.service';
import { SharedLearnerService } from './shared-learner.service';

@Module({
  imports: [OrganisationsModule, EnrolmentsModule, SharingModule],
  providers: [LearnerService, SharedLearnerService, StaffPage, LearnerResolver],
  exports: [LearnerService],
})
export class LearnersModule {}
