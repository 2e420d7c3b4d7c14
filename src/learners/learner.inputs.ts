import { ArgsType, Field, ID, InputType } from '@nestjs/graphql';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { IsCalendarDate } from '../common/calendar-date';
import { LocaleEnum } from '../common/graphql/enums';
import { PageArgs } from '../common/pagination/connection';
import { LOCALES, type Locale } from './locale';

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
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @Field({ nullable: true })
  @IsOptional()
  @Transform(lower)
  @IsEmail()
  @MaxLength(320)
  email?: string;

  @Field(() => LocaleEnum, { nullable: true })
  @IsOptional()
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
  @Field(() => String, { nullable: true, description: 'Last day employed (inclusive); null re-opens the employment.' })
  @IsOptional()
  @IsCalendarDate()
  endedOn?: string | null;
}

@ArgsType()
export class LearnersArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'Only learners with an employment at this employer.' })
  @IsOptional()
  @IsUUID()
  employerId?: string;
}
