import { Module } from '@nestjs/common';
import { OutboxModule } from '../outbox/outbox.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { SharingModule } from '../sharing/sharing.module';
import { BulkEnrolmentResolver } from './bulk/bulk-enrolment.resolver';
import { BulkEnrolmentService } from './bulk/bulk-enrolment.service';
import { CourseResolver } from './course.resolver';
import { CertificateResolver, EnrolmentResolver } from './enrolment.resolver';
import { EnrolmentService } from './enrolment.service';
import { PageChildren } from './page-children';

@Module({
  imports: [OrganisationsModule, OutboxModule, SharingModule],
  providers: [EnrolmentService, PageChildren, CourseResolver, EnrolmentResolver, CertificateResolver, BulkEnrolmentService, BulkEnrolmentResolver],
  exports: [EnrolmentService, PageChildren],
})
export class EnrolmentsModule {}
