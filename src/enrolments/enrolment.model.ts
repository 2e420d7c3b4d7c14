import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import { EnrolmentStatusEnum } from '../common/graphql/enums';
import { Connection } from '../common/pagination/connection';
import type { EnrolmentStatus } from './enrolment-status';

@ObjectType('AssessmentResult')
export class AssessmentResultModel {
  @Field(() => ID)
  id: string;

  @Field(() => ID)
  enrolmentId: string;

  @Field()
  assessmentName: string;

  @Field()
  attemptedAt: Date;

  @Field(() => Float)
  score: number;

  @Field(() => Float)
  maxScore: number;

  @Field()
  passed: boolean;
}

@ObjectType('Certificate')
export class CertificateModel {
  @Field(() => ID)
  id: string;

  @Field(() => ID)
  enrolmentId: string;

  @Field()
  number: string;

  @Field()
  issuedAt: Date;

  @Field(() => Date, { nullable: true })
  expiresAt: Date | null;

  @Field(() => Float, { nullable: true })
  accreditationPoints: number | null;
}

@ObjectType('Enrolment')
export class EnrolmentModel {
  @Field(() => ID)
  id: string;

  @Field(() => ID)
  learnerId: string;

  @Field(() => ID)
  courseId: string;

  @Field(() => ID, { nullable: true, description: 'The employer that commissioned this enrolment.' })
  sponsorEmployerId: string | null;

  @Field(() => ID, { description: 'The organisation that made the enrolment.' })
  enrolledById: string;

  @Field(() => EnrolmentStatusEnum)
  status: EnrolmentStatus;

  @Field()
  enrolledAt: Date;

  @Field(() => Date, { nullable: true })
  startedAt: Date | null;

  @Field(() => Date, { nullable: true })
  completedAt: Date | null;

  @Field(() => Int)
  progressPercent: number;

  @Field(() => Int)
  timeSpentMinutes: number;

  @Field(() => Date, { nullable: true })
  lastActivityAt: Date | null;

  @Field()
  updatedAt: Date;
}

@ObjectType()
export class EnrolmentConnection extends Connection(EnrolmentModel) {}
