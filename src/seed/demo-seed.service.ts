import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ApiClientEntity } from '../auth/api-client.entity';
import { hashClientSecret } from '../auth/client-secret';
import { TokenService } from '../auth/token.service';
import { AssessmentResultEntity } from '../enrolments/assessment-result.entity';
import { CertificateEntity } from '../enrolments/certificate.entity';
import { CourseEntity } from '../enrolments/course.entity';
import { EnrolmentEntity } from '../enrolments/enrolment.entity';
import type { EnrolmentStatus } from '../enrolments/enrolment-status';
import { EmploymentEntity } from '../learners/employment.entity';
import { LearnerEntity } from '../learners/learner.entity';
import { BrokerMandateEntity } from '../organisations/broker-mandate.entity';
import { OrganisationEntity } from '../organisations/organisation.entity';
import { ObjectionEntity } from '../privacy/objection.entity';
import { RestrictionEntity } from '../privacy/restriction.entity';
import { SharingAgreementEntity } from '../sharing/agreements/sharing-agreement.entity';
import { DEMO } from './demo-ids';
import { randomUUID } from 'node:crypto';

const SEED_LOCK = 0x5253_5345;
const DAY = 86_400_000;

const FIRST = ['Sanne', 'Daan', 'Emma', 'Lucas', 'Julia', 'Milan', 'Tess', 'Sem', 'Lotte', 'Finn', 'Noor', 'Levi', 'Fleur', 'Bram', 'Iris', 'Jesse', 'Anouk', 'Thijs', 'Eva', 'Ruben'];
const LAST = ['de Jong', 'Jansen', 'de Vries', 'van den Berg', 'Bakker', 'Visser', 'Smit', 'Meijer', 'de Boer', 'Mulder'];
const COURSES = [
  { code: 'BHV-2026', title: 'Bedrijfshulpverlening basis', accreditationBody: 'NIBHV', accreditationPoints: 4 },
  { code: 'MED-REK', title: 'Medisch rekenen', accreditationBody: 'V&VN', accreditationPoints: 6 },
  { code: 'AVG-101', title: 'Privacy in de praktijk (AVG)', accreditationBody: null, accreditationPoints: null },
  { code: 'LEAD-01', title: 'Leidinggeven aan professionals', accreditationBody: 'NVAO', accreditationPoints: 12 },
  { code: 'EHBO-K', title: 'EHBO aan kinderen', accreditationBody: 'Het Oranje Kruis', accreditationPoints: 3 },
];

export interface DemoTokens {
  hrPortal: string;
  broker: string;
  learner: string;
  staff: string;
}

/**
 * The demo data set `npm start` shows: an employer with an HR-portal client, a broker with a
 * mandate, 20 learners with enrolments, progress, results and certificates, agreements of all four
 * bases, an objection and a restriction. Seeded once (fixed
 * ids; a second run finds the provider and does nothing).
 */
@Injectable()
export class DemoSeedService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tokens: TokenService,
  ) {}

  async seedOnce(now = new Date()): Promise<boolean> {
    return this.dataSource.transaction(async (em) => {
      await em.query('SELECT pg_advisory_xact_lock($1)', [SEED_LOCK]);
      if (await em.getRepository(OrganisationEntity).existsBy({ id: DEMO.providerId })) return false;

      await em.getRepository(OrganisationEntity).insert([
        { id: DEMO.providerId, kind: 'PROVIDER', name: 'Leerhuis Online', chamberOfCommerceNumber: '11223344' },
        { id: DEMO.employerId, kind: 'EMPLOYER', name: 'Zorggroep Rivierenland', chamberOfCommerceNumber: '55667788' },
        { id: DEMO.brokerId, kind: 'BROKER', name: 'Opleidingsbureau Noord', chamberOfCommerceNumber: '99001122' },
        { id: DEMO.otherEmployerId, kind: 'EMPLOYER', name: 'Bouwbedrijf De Vries', chamberOfCommerceNumber: null },
      ]);
      await em.getRepository(BrokerMandateEntity).insert({
        id: DEMO.mandateId,
        brokerId: DEMO.brokerId,
        employerId: DEMO.employerId,
        validFrom: new Date(now.getTime() - 365 * DAY),
        validUntil: new Date(now.getTime() + 365 * DAY),
        permissions: ['ENROL', 'VIEW_RESULTS'],
        categories: ['ENROLMENT_STATUS', 'PROGRESS', 'COMPLETION', 'CERTIFICATES'],
        revokedAt: null,
      });
      await em.getRepository(CourseEntity).insert(COURSES.map((c, i) => ({ id: DEMO.courseId(i + 1), ...c })));

      const learners = FIRST.map((first, i) => ({
        id: DEMO.learnerId(i + 1),
        name: `${first} ${LAST[i % LAST.length]}`,
        email: `${first.toLowerCase()}.${LAST[i % LAST.length].replace(/ /g, '').toLowerCase()}@example.nl`,
        locale: i % 4 === 3 ? ('en' as const) : ('nl' as const),
        externalSubjectId: `lp|demo-${i + 1}`,
      }));
      await em.getRepository(LearnerEntity).insert(learners);

      const dateOnly = (d: Date) => d.toISOString().slice(0, 10);
      await em.getRepository(EmploymentEntity).insert(
        learners.map((l, i) => ({
          learnerId: l.id,
          // learners 19 and 20 left the demo employer; learner 20 now works elsewhere
          employerId: i === 19 ? DEMO.otherEmployerId : DEMO.employerId,
          employeeNumber: `E${String(1001 + i)}`,
          startedOn: dateOnly(new Date(now.getTime() - (800 - i * 20) * DAY)),
          endedOn: i === 18 ? dateOnly(new Date(now.getTime() - 30 * DAY)) : null,
        })),
      );

      const statuses: EnrolmentStatus[] = ['COMPLETED', 'IN_PROGRESS', 'ENROLLED', 'COMPLETED', 'IN_PROGRESS', 'WITHDRAWN'];
      const enrolments: Partial<EnrolmentEntity>[] = [];
      const courseOf: (typeof COURSES)[number][] = [];
      learners.forEach((l, i) => {
        for (let k = 0; k < 1 + (i % 3); k++) {
          courseOf.push(COURSES[(i + k) % COURSES.length]);
          const status = statuses[(i + k) % statuses.length];
          const enrolledAt = new Date(now.getTime() - (120 - i - k * 7) * DAY);
          const started = status !== 'ENROLLED';
          enrolments.push({
            learnerId: l.id,
            courseId: DEMO.courseId(((i + k) % COURSES.length) + 1),
            // every other enrolment is commissioned by the employer; the rest the learner chose
            sponsorEmployerId: (i + k) % 2 === 0 ? DEMO.employerId : null,
            enrolledById: k === 0 && i % 5 === 0 ? DEMO.brokerId : DEMO.providerId,
            status,
            enrolledAt,
            startedAt: started ? new Date(enrolledAt.getTime() + 2 * DAY) : null,
            completedAt: status === 'COMPLETED' ? new Date(enrolledAt.getTime() + 40 * DAY) : null,
            progressPercent: status === 'COMPLETED' ? 100 : status === 'IN_PROGRESS' ? 15 + ((i * 17) % 80) : 0,
            timeSpentMinutes: started ? 30 + ((i * 53) % 900) : 0,
            lastActivityAt: started ? new Date(now.getTime() - (i % 9) * DAY) : null,
          });
        }
      });
      const inserted = await em.getRepository(EnrolmentEntity).insert(enrolments);
      const ids = inserted.identifiers.map((x) => x.id as string);

      const results: Partial<AssessmentResultEntity>[] = [];
      const certificates: Partial<CertificateEntity>[] = [];
      enrolments.forEach((e, n) => {
        if (e.status === 'ENROLLED' || e.status === 'WITHDRAWN') return;
        const score = 40 + ((n * 37) % 61);
        results.push({ enrolmentId: ids[n], assessmentName: 'Eindtoets', attemptedAt: new Date(e.startedAt!.getTime() + 20 * DAY), score, maxScore: 100, passed: score >= 55 });
        if (e.status === 'COMPLETED') {
          certificates.push({
            enrolmentId: ids[n],
            number: `LO-${2026}-${String(n + 1).padStart(5, '0')}`,
            issuedAt: e.completedAt!,
            expiresAt: new Date(e.completedAt!.getTime() + 2 * 365 * DAY),
            accreditationPoints: courseOf[n].accreditationPoints,
          });
        }
      });
      await em.getRepository(AssessmentResultEntity).insert(results);
      await em.getRepository(CertificateEntity).insert(certificates);

      // Agreements of all four bases, so the demo shows gated and withheld fields side by side.
      const agreements = em.getRepository(SharingAgreementEntity);
      const agreement = (a: Partial<SharingAgreementEntity>) =>
        agreements.save({ agreementId: randomUUID(), version: 1, learnerId: null, courseIds: null, validFrom: new Date(now.getTime() - 365 * DAY), validUntil: null, createdBy: 'demo-seed', revokedAt: null, supersededAt: null, ...a });
      await agreement({ recipientId: DEMO.employerId, basis: 'PROCESSOR', reference: 'Verwerkersovereenkomst 2026-014', categories: ['ENROLMENT_STATUS', 'PROGRESS', 'TIME_SPENT', 'COMPLETION', 'ASSESSMENT_RESULTS', 'CERTIFICATES'] });
      const li = await agreement({ recipientId: DEMO.employerId, basis: 'LEGITIMATE_INTEREST', reference: 'Belangenafweging BA-2026-03', categories: ['ENROLMENT_STATUS', 'COMPLETION', 'CERTIFICATES'] });
      await agreement({ recipientId: DEMO.employerId, basis: 'STUDY_CONTRACT', reference: 'Studieovereenkomst SO-19', learnerId: learners[18].id, courseIds: [DEMO.courseId(4)], validUntil: new Date(now.getTime() + 365 * DAY), categories: ['ENROLMENT_STATUS', 'PROGRESS', 'COMPLETION', 'ASSESSMENT_RESULTS', 'CERTIFICATES', 'ACCREDITATION'] });
      await agreement({ recipientId: DEMO.employerId, basis: 'CONSENT', reference: 'consent-text:2026-01', learnerId: learners[1].id, validFrom: new Date(now.getTime() - 10 * DAY), categories: ['PROGRESS', 'TIME_SPENT', 'ASSESSMENT_RESULTS'] });
      await agreement({ recipientId: DEMO.employerId, basis: 'CONSENT', reference: 'consent-text:2026-01', learnerId: learners[2].id, validFrom: new Date(now.getTime() - 10 * DAY), revokedAt: new Date(now.getTime() - 2 * DAY), categories: ['PROGRESS'] });
      await agreement({ recipientId: DEMO.brokerId, basis: 'CONSENT', reference: 'consent-text:2026-01', learnerId: learners[5].id, validFrom: new Date(now.getTime() - 10 * DAY), categories: ['ASSESSMENT_RESULTS'] });
      await em.getRepository(ObjectionEntity).insert({ learnerId: learners[3].id, recipientId: DEMO.employerId, agreementId: li.agreementId, grounds: 'Mijn opleiding is privé', liftedAt: null });
      await em.getRepository(RestrictionEntity).insert({ learnerId: learners[4].id, reason: 'Juistheid van gegevens betwist', liftedAt: null });

      const demoClients = [
        { organisationId: DEMO.employerId, name: 'Demo HR portal', ...DEMO.hrPortal },
        { organisationId: DEMO.brokerId, name: 'Demo broker system', ...DEMO.broker },
        { organisationId: DEMO.providerId, name: 'Demo learning platform', ...DEMO.learningPlatform },
      ];
      for (const c of demoClients) {
        await em.getRepository(ApiClientEntity).insert({
          organisationId: c.organisationId,
          name: c.name,
          clientId: c.clientId,
          secretHash: await hashClientSecret(c.secret),
          createdBy: 'demo-seed',
          revokedAt: null,
        });
      }
      return true;
    });
  }

  /** Ready-to-use tokens for the demo actors, valid for 12 hours. */
  demoTokens(): DemoTokens {
    const ttl = 12 * 3600;
    return {
      hrPortal: this.tokens.issue({ sub: 'demo-hr-portal', kind: 'EMPLOYER_CLIENT', org: DEMO.employerId, client_id: DEMO.hrPortal.clientId }, ttl).accessToken,
      broker: this.tokens.issue({ sub: 'demo-broker', kind: 'BROKER_CLIENT', org: DEMO.brokerId, client_id: DEMO.broker.clientId }, ttl).accessToken,
      learner: this.tokens.issue({ sub: DEMO.learnerId(1), kind: 'LEARNER' }, ttl).accessToken,
      staff: this.tokens.issue({ sub: DEMO.staffSubject, kind: 'PROVIDER_STAFF', org: DEMO.providerId }, ttl).accessToken,
    };
  }
}
