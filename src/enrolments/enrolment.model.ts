import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import { EnrolmentStatusEnum } from './enrolment-status';
import { Connection } from '../common/pagination/connection';
import { GatedField, InternalField } from '../sharing/gate/field-policy';
import { WithheldModel } from '../sharing/gate/withheld.model';
import type { EnrolmentStatusView } from './enrolment-status';

/*
 * Learner-data types: every field declares its policy (sharing/field-policy.ts). Fields without
 * one are on the reviewed allow-list of test/e2e/field-policy.e2e-spec.ts (ids, course, withheld).
 */

@ObjectType('AssessmentResult')
export class AssessmentResultModel {
  @Field(() => ID)
  id: string;

  @Field(() => ID)
  enrolmentId: string;

  @GatedField('ASSESSMENT_RESULTS', () => String)
  assessmentName: string;

  @GatedField('ASSESSMENT_RESULTS', () => Date)
  attemptedAt: Date;

  @GatedField('ASSESSMENT_RESULTS', () => Float)
  score: number;

  @GatedField('ASSESSMENT_RESULTS', () => Float)
  maxScore: number;

  @GatedField('ASSESSMENT_RESULTS', () => Boolean)
  passed: boolean;
}

@ObjectType('Certificate')
export class CertificateModel {
  @Field(() => ID)
  id: string;

  @Field(() => ID)
  enrolmentId: string;

  @GatedField('CERTIFICATES', () => String)
  number: string;

  @GatedField('CERTIFICATES', () => Date)
  issuedAt: Date;

  @GatedField('CERTIFICATES', () => Date)
  expiresAt: Date | null;

  @GatedField('ACCREDITATION', () => Float, { description: 'Accreditation points this certificate earned.' })
  accreditationPoints: number | null;

  @Field(() => [WithheldModel], { description: 'Fields of this certificate withheld from the caller, with the reason.' })
  withheld: WithheldModel[];
}

@ObjectType('Enrolment')
export class EnrolmentModel {
  @Field(() => ID)
  id: string;

  @Field(() => ID)
  learnerId: string;

  @Field(() => ID)
  courseId: string;

  @InternalField(() => ID, { description: 'The employer that commissioned this enrolment.' })
  sponsorEmployerId: string | null;

  @InternalField(() => ID, { description: 'The organisation that made the enrolment.' })
  enrolledById: string;

  @GatedField('ENROLMENT_STATUS', () => EnrolmentStatusEnum, {
    description: 'To an employer or broker without COMPLETION for this enrolment, IN_PROGRESS and COMPLETED both read STARTED.',
  })
  status: EnrolmentStatusView;

  @GatedField('ENROLMENT_STATUS', () => Date)
  enrolledAt: Date;

  @GatedField('ENROLMENT_STATUS', () => String, { description: 'Planned start date (YYYY-MM-DD) given when enrolling.' })
  startsOn: string | null;

  @GatedField('ENROLMENT_STATUS', () => Date)
  startedAt: Date | null;

  @GatedField('PROGRESS', () => Int)
  progressPercent: number;

  @GatedField('PROGRESS', () => Date)
  lastActivityAt: Date | null;

  @GatedField('TIME_SPENT', () => Int)
  timeSpentMinutes: number;

  @GatedField('COMPLETION', () => Date)
  completedAt: Date | null;

  @GatedField('COMPLETION', () => Boolean)
  completed: boolean;

  @GatedField('ASSESSMENT_RESULTS', () => [AssessmentResultModel], { description: 'Every attempt, oldest first.' })
  assessmentResults: AssessmentResultModel[];

  @GatedField('CERTIFICATES', () => [CertificateModel])
  certificates: CertificateModel[];

  @GatedField('ACCREDITATION', () => Float, { description: 'Accreditation points earned through certificates of this enrolment.' })
  accreditationPointsEarned: number | null;

  @InternalField(() => Date)
  updatedAt: Date;

  @Field(() => [WithheldModel], { description: 'Fields withheld from the caller, each with the reason.' })
  withheld: WithheldModel[];
}

@ObjectType()
export class EnrolmentConnection extends Connection(EnrolmentModel) {}
