import { Module } from '@nestjs/common';
import { OrganisationsModule } from '../organisations/organisations.module';
import { CourseResolver } from './course.resolver';
import { EnrolmentResolver } from './enrolment.resolver';
import { EnrolmentService } from './enrolment.service';

@Module({
  imports: [OrganisationsModule],
  providers: [EnrolmentService, CourseResolver, EnrolmentResolver],
  exports: [EnrolmentService],
})
export class EnrolmentsModule {}
