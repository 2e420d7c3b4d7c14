import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { DISCLOSURE_CATEGORIES } from '../../src/common/disclosure-category';
import { BrokerMandateEntity } from '../../src/organisations/broker-mandate.entity';
import { SharingAgreementEntity } from '../../src/sharing/agreements/sharing-agreement.entity';
import { ApiClientEntity } from '../../src/auth/api-client.entity';
import type { AccessTokenClaims } from '../../src/auth/actor';
import { hashClientSecret } from '../../src/auth/client-secret';
import { AssessmentResultEntity } from '../../src/enrolments/assessment-result.entity';
import { CertificateEntity } from '../../src/enrolments/certificate.entity';
import { CourseEntity } from '../../src/enrolments/course.entity';
import { EnrolmentEntity } from '../../src/enrolments/enrolment.entity';
import { EmploymentEntity } from '../../src/learners/employment.entity';
import { LearnerEntity } from '../../src/learners/learner.entity';
import { OrganisationEntity } from '../../src/organisations/organisation.entity';
import type { OrganisationKind } from '../../src/organisations/organisation-kind';

let counter = 0;
const next = () => ++counter;

/** Readable builders for test data, written straight to the real database. */
export function world(db: DataSource) {
  return {
    async organisation(kind: OrganisationKind, name = `${kind.toLowerCase()} ${next()}`) {
      return db.getRepository(OrganisationEntity).save({ kind, name, chamberOfCommerceNumber: null });
    },
    async learner(over: Partial<LearnerEntity> = {}) {
      const n = next();
      return db.getRepository(LearnerEntity).save({ name: `Learner ${n}`, email: `learner${n}.${process.pid}@example.test`, locale: 'nl', externalSubjectId: null, ...over });
    },
    async employment(learnerId: string, employerId: string, over: Partial<EmploymentEntity> = {}) {
      return db.getRepository(EmploymentEntity).save({ learnerId, employerId, employeeNumber: `E${next()}`, startedOn: '2024-01-01', endedOn: null, ...over });
    },
    async course(over: Partial<CourseEntity> = {}) {
      const n = next();
      return db.getRepository(CourseEntity).save({ code: `C${n}`, title: `Course ${n}`, accreditationBody: null, accreditationPoints: null, ...over });
    },
    async enrolment(learnerId: string, courseId: string, enrolledById: string, over: Partial<EnrolmentEntity> = {}) {
      return db.getRepository(EnrolmentEntity).save({ learnerId, courseId, enrolledById, sponsorEmployerId: null, status: 'ENROLLED', enrolledAt: new Date(), ...over });
    },
    async result(enrolmentId: string, over: Partial<AssessmentResultEntity> = {}) {
      return db.getRepository(AssessmentResultEntity).save({ enrolmentId, assessmentName: 'Final', attemptedAt: new Date(), score: 80, maxScore: 100, passed: true, ...over });
    },
    async certificate(enrolmentId: string, over: Partial<CertificateEntity> = {}) {
      return db.getRepository(CertificateEntity).save({ enrolmentId, number: `CERT-${next()}-${process.pid}`, issuedAt: new Date(), expiresAt: null, accreditationPoints: null, ...over });
    },
    /** A sharing agreement version written straight to the table (rules of creation not applied). */
    async agreement(over: Partial<SharingAgreementEntity> & Pick<SharingAgreementEntity, 'recipientId' | 'basis' | 'categories'>) {
      const id = randomUUID();
      return db.getRepository(SharingAgreementEntity).save({
        agreementId: id,
        version: 1,
        learnerId: null,
        courseIds: null,
        validFrom: new Date(Date.now() - 86_400_000),
        validUntil: null,
        reference: 'test',
        createdBy: 'test',
        revokedAt: null,
        supersededAt: null,
        ...over,
      });
    },
    async mandate(brokerId: string, employerId: string, over: Partial<BrokerMandateEntity> = {}) {
      return db.getRepository(BrokerMandateEntity).save({
        brokerId,
        employerId,
        validFrom: new Date(Date.now() - 86_400_000),
        validUntil: null,
        permissions: ['ENROL', 'VIEW_RESULTS'],
        categories: [...DISCLOSURE_CATEGORIES],
        revokedAt: null,
        ...over,
      });
    },
    /** An API client with a known secret, and the claims of the tokens it would get. */
    async apiClient(organisation: OrganisationEntity, secret = `secret-${next()}`) {
      const client = await db.getRepository(ApiClientEntity).save({
        organisationId: organisation.id,
        name: `client ${next()}`,
        clientId: `test_${next()}_${process.pid}`,
        secretHash: await hashClientSecret(secret),
        createdBy: 'test',
        revokedAt: null,
      });
      const kind = organisation.kind === 'EMPLOYER' ? 'EMPLOYER_CLIENT' : organisation.kind === 'BROKER' ? 'BROKER_CLIENT' : 'PROVIDER_STAFF';
      const claims: AccessTokenClaims = { sub: client.id, kind, org: organisation.id, client_id: client.clientId };
      return { client, secret, claims };
    },
  };
}

export function staffClaims(providerId: string): AccessTokenClaims {
  return { sub: 'staff:test', kind: 'PROVIDER_STAFF', org: providerId };
}
