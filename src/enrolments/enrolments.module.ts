import { Module } from '@nestjs/common';
import { OrganisationsModule } from '../organisations/organisations.module';
import { CourseResolver } from './course.resolver';
import { CertificateResolver, EnrolmentResolver } from './enrolment.resolver';
import { EnrolmentService } from './enrolment.service';

@Module({
  imports: [OrganisationsModule],
  providers: [EnrolmentService, CourseResolver, EnrolmentResolver, CertificateResolver],
  exports: [EnrolmentService],
})
export class EnrolmentsModule {}
