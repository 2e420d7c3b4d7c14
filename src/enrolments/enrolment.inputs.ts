import { ArgsType, Field, Float, ID, InputType, Int } from '@nestjs/graphql';
import { IsBoolean, IsDate, IsIn, IsInt, IsNotEmpty, IsNumber, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, registerDecorator } from 'class-validator';
import { EnrolmentStatusEnum } from './enrolment-status';
import { PageArgs } from '../common/pagination/connection';
import { ENROLMENT_STATUSES, type EnrolmentStatus } from './enrolment-status';

@InputType()
export class CreateCourseInput {
  @Field()
  @Matches(/^[A-Z0-9][A-Z0-9._-]{1,31}$/, { message: 'must be 2-32 upper-case letters, digits, dot, dash or underscore' })
  code: string;

  @Field()
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  title: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  accreditationBody?: string | null;

  @Field(() => Float, { nullable: true })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(9999)
  accreditationPoints?: number | null;
}

@InputType()
export class UpdateCourseInput {
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  title?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  accreditationBody?: string | null;

  @Field(() => Float, { nullable: true })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(9999)
  accreditationPoints?: number | null;
}

@InputType()
export class CreateEnrolmentInput {
  @Field(() => ID)
  @IsUUID()
  learnerId: string;

  @Field(() => ID)
  @IsUUID()
  courseId: string;

  @Field(() => ID, { nullable: true, description: 'The employer that commissions / pays for it.' })
  @IsOptional()
  @IsUUID()
  sponsorEmployerId?: string | null;

  @Field({ nullable: true, description: 'Defaults to now.' })
  @IsOptional()
  @IsDate()
  enrolledAt?: Date;
}

/** What the learning platform reports as the learner works through a course. */
@InputType()
export class RecordProgressInput {
  @Field(() => EnrolmentStatusEnum, { nullable: true, description: 'ENROLLED, IN_PROGRESS, COMPLETED or WITHDRAWN (STARTED is only ever read).' })
  @IsOptional()
  @IsIn(ENROLMENT_STATUSES, { message: 'must be ENROLLED, IN_PROGRESS, COMPLETED or WITHDRAWN' })
  status?: EnrolmentStatus;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100)
  progressPercent?: number;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(0)
  timeSpentMinutes?: number;

  @Field({ nullable: true })
  @IsOptional()
  @IsDate()
  lastActivityAt?: Date;

  @Field({ nullable: true })
  @IsOptional()
  @IsDate()
  startedAt?: Date;

  @Field({ nullable: true })
  @IsOptional()
  @IsDate()
  completedAt?: Date;
}

@InputType()
export class RecordAssessmentResultInput {
  @Field(() => ID)
  @IsUUID()
  enrolmentId: string;

  @Field()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  assessmentName: string;

  @Field()
  @IsDate()
  attemptedAt: Date;

  // Stored as numeric(8,2): at most 999,999.99, and two decimals.
  @Field(() => Float)
  @IsNumber()
  @Min(0)
  @Max(999_999.99)
  @HasCents()
  score: number;

  @Field(() => Float)
  @IsNumber()
  @Min(0.01)
  @Max(999_999.99)
  @HasCents()
  maxScore: number;

  @Field()
  @IsBoolean()
  passed: boolean;
}

@InputType()
export class IssueCertificateInput {
  @Field(() => ID)
  @IsUUID()
  enrolmentId: string;

  @Field()
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  number: string;

  @Field()
  @IsDate()
  issuedAt: Date;

  @Field(() => Date, { nullable: true })
  @IsOptional()
  @IsDate()
  expiresAt?: Date | null;

  @Field(() => Float, { nullable: true })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(9999)
  accreditationPoints?: number | null;
}

@ArgsType()
export class EnrolmentsArgs extends PageArgs {
  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID()
  learnerId?: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID()
  courseId?: string;
}

/** At most two decimals (numeric(…,2)), checked without string tricks: 1e-7 is a number too. */
function HasCents(): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'hasCents',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: 'must have at most two decimals' },
      validator: { validate: (v: unknown) => typeof v === 'number' && Math.abs(Math.round(v * 100) - v * 100) < 1e-6 },
    });
}
