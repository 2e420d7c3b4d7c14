import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { BulkEnrolmentResolver } from './bulk/bulk-enrolment.resolver';
import { BulkEnrolmentService } from './bulk/bulk-enrolment.service';
import { CourseResolver } from './course.resolver';
import { CertificateResolver, EnrolmentResolver } from './enrolment.resolver';
import { EnrolmentService } from './enrolment.service';

@Module({
  imports: [OrganisationsModule, NotificationsModule],
  providers: [EnrolmentService, CourseResolver, EnrolmentResolver, CertificateResolver, BulkEnrolmentService, BulkEnrolmentResolver],
  exports: [EnrolmentService],
})
export class EnrolmentsModule {}
