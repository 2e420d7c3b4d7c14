import { ApiClientEntity } from '../auth/api-client.entity';
import { DisclosureEntity } from '../disclosures/disclosure.entity';
import { LedgerBatchEntity } from '../disclosures/ledger-batch.entity';
import { LedgerCheckpointEntity } from '../disclosures/ledger-checkpoint.entity';
import { NotificationEntity } from '../outbox/notification.entity';
import { SigningKeyEntity } from '../auth/signing-key.entity';
import { AssessmentResultEntity } from '../enrolments/assessment-result.entity';
import { CertificateEntity } from '../enrolments/certificate.entity';
import { EnrolmentRequestEntity } from '../enrolments/bulk/enrolment-request.entity';
import { CourseEntity } from '../enrolments/course.entity';
import { EnrolmentEntity } from '../enrolments/enrolment.entity';
import { EmploymentEntity } from '../learners/employment.entity';
import { LearnerEntity } from '../learners/learner.entity';
import { BrokerMandateEntity } from '../organisations/broker-mandate.entity';
import { OrganisationEntity } from '../organisations/organisation.entity';
import { ObjectionEntity } from '../privacy/objection.entity';
import { RestrictionEntity } from '../privacy/restriction.entity';
import { SharingAgreementEntity } from '../sharing/agreements/sharing-agreement.entity';
import { DataSubjectRequestEntity } from '../requests/data-subject-request.entity';
import { StaffAlertEntity } from '../requests/staff-alert.entity';
import { LearnerChangeEntity } from '../learners/learner-change.entity';
import { LearnerExportEntity } from '../rights/export/learner-export.entity';
import { ExportChunkEntity } from '../rights/export/export-chunk.entity';
import { RetentionRuleEntity } from '../rights/retention/retention-rule.entity';
import { ErasureEntity } from '../rights/retention/erasure.entity';
import { RecipientNoticeEntity } from '../rights/retention/recipient-notice.entity';
import { RetentionRunEntity } from '../rights/retention/retention-run.entity';
import { AnalysisRetiredEntity } from '../rights/analysis/analysis-retired.entity';
import { EventEntity } from '../events/event.entity';
import { EnrolmentChangeEntity } from '../events/enrolment-change.entity';
import { EventWatermarkEntity } from '../events/event-watermark.entity';
import { AccessCheckEntity } from '../events/access/access-check.entity';
import { RecipientAccessEntity } from '../events/access/recipient-access.entity';
import { WebhookEndpointEntity } from '../events/webhooks/webhook-endpoint.entity';
import { WebhookDeliveryEntity } from '../events/webhooks/webhook-delivery.entity';

/** Every entity, listed once, for the app's and the CLI's data source. */
export const ENTITIES = [
  OrganisationEntity,
  BrokerMandateEntity,
  LearnerEntity,
  EmploymentEntity,
  CourseEntity,
  EnrolmentEntity,
  AssessmentResultEntity,
  CertificateEntity,
  ApiClientEntity,
  SigningKeyEntity,
  SharingAgreementEntity,
  ObjectionEntity,
  RestrictionEntity,
  LedgerBatchEntity,
  LedgerCheckpointEntity,
  DisclosureEntity,
  NotificationEntity,
  EnrolmentRequestEntity,
  DataSubjectRequestEntity,
  StaffAlertEntity,
  LearnerChangeEntity,
  LearnerExportEntity,
  ExportChunkEntity,
  RetentionRuleEntity,
  ErasureEntity,
  RecipientNoticeEntity,
  RetentionRunEntity,
  AnalysisRetiredEntity,
  EventEntity,
  EnrolmentChangeEntity,
  EventWatermarkEntity,
  AccessCheckEntity,
  RecipientAccessEntity,
  WebhookEndpointEntity,
  WebhookDeliveryEntity,
];
