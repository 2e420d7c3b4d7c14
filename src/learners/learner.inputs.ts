import { ArgsType, Field, ID, InputType } from '@nestjs/graphql';
import { Transform } from 'class-transformer';
import { IsDate, IsEmail, IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength, ValidateIf } from 'class-validator';
import { ENROLMENT_STATUS_VIEWS, type EnrolmentStatusView } from '../enrolments/enrolment-status';
import { IsCalendarDate } from '../common/calendar-date';
import { EnrolmentStatusEnum } from '../enrolments/enrolment-status';
import { LocaleEnum } from '../common/locale';
import { PageArgs } from '../common/pagination/connection';
import { LOCALES, type Locale } from '../common/locale';

const lower = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value);

@InputType()
export class CreateLearnerInput {
  @Field()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @Field()
  @Transform(lower)
  @IsEmail()
  @MaxLength(320)
  email: string;

  @Field(() => LocaleEnum, { defaultValue: 'nl' })
  @IsIn(LOCALES)
  locale: Locale;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  externalSubjectId?: string | null;
}

@InputType()
export class UpdateLearnerInput {
  @Field({ nullable: true })
  @ValidateIf((_o, v) => v !== undefined) // null is not "leave as is": it is refused
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @Field({ nullable: true })
  @ValidateIf((_o, v) => v !== undefined) // null is not "leave as is": it is refused
  @Transform(lower)
  @IsEmail()
  @MaxLength(320)
  email?: string;

  @Field(() => LocaleEnum, { nullable: true })
  @ValidateIf((_o, v) => v !== undefined) // null is not "leave as is": it is refused
  @IsIn(LOCALES)
  locale?: Locale;
}

@InputType()
export class CreateEmploymentInput {
  @Field(() => ID)
  @IsUUID()
  learnerId: string;

  @Field(() => ID)
  @IsUUID()
  employerId: string;

  @Field()
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  employeeNumber: string;

  @Field()
  @IsCalendarDate()
  startedOn: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsCalendarDate()
  endedOn?: string | null;
}

@InputType()
export class UpdateEmploymentInput {
  @Field({ nullable: true })
  @ValidateIf((_o, v) => v !== undefined) // null is not "leave as is": it is refused
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  employeeNumber?: string;

  @Field(() => String, { nullable: true, description: 'First day employed (YYYY-MM-DD).' })
  @ValidateIf((_o, v) => v !== undefined) // null is not "leave as is": it is refused
  @IsCalendarDate()
  startedOn?: string;

  @Field(() => String, { nullable: true, description: 'Last day employed (inclusive); null re-opens the employment.' })
  @IsOptional()
  @IsCalendarDate()
  endedOn?: string | null;
}

@ArgsType()
export class LearnersArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'Provider staff: only learners with an employment at this employer.' })
  @IsOptional()
  @IsUUID()
  employerId?: string;

  @Field(() => ID, { nullable: true, description: 'Only learners with an enrolment on this course.' })
  @IsOptional()
  @IsUUID()
  courseId?: string;

  @Field(() => EnrolmentStatusEnum, {
    nullable: true,
    description:
      'Only enrolments with this status (STARTED: in progress or completed). For employers and brokers it sees only enrolments whose ENROLMENT_STATUS is shared with them, and IN_PROGRESS and COMPLETED only those whose COMPLETION is shared too.',
  })
  @IsOptional()
  @IsIn(ENROLMENT_STATUS_VIEWS)
  status?: EnrolmentStatusView;

  @Field({ nullable: true, description: 'Only enrolments completed at or after this instant (sees only enrolments whose COMPLETION is shared).' })
  @IsOptional()
  @IsDate()
  completedSince?: Date;

  @Field({
    nullable: true,
    description:
      'Incremental sync: only enrolments changed at or after this instant. For employers and brokers, only changes in categories shared with them count.',
  })
  @IsOptional()
  @IsDate()
  updatedSince?: Date;
}
