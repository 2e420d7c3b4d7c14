import { Field, ID, InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayNotEmpty, IsOptional, IsString, IsUUID, Matches, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { LocaleEnum } from '../../common/locale';
import type { Locale } from '../../common/locale';

export const MAX_ENROLMENT_ROWS = 1000;

/**
 * One row as the broker or HR system sends it. Rows are checked one by one in the service (so a
 * bad row is reported with its fields, not the whole batch refused); here only the shape.
 */
@InputType()
export class EnrolmentRowInput {
  @Field()
  @IsString()
  email: string;

  @Field()
  @IsString()
  name: string;

  @Field()
  @IsString()
  employeeNumber: string;

  @Field(() => LocaleEnum, { nullable: true, description: 'nl (default) or en.' })
  @IsOptional()
  locale?: Locale | null;

  @Field()
  @IsString()
  courseCode: string;

  @Field({ description: 'Planned start date, YYYY-MM-DD.' })
  @IsString()
  startDate: string;
}

@InputType()
export class EnrolLearnersInput {
  @Field(() => ID, { nullable: true, description: 'The employer the employees work for. Optional for an employer client (itself).' })
  @IsOptional()
  @IsUUID()
  employerId?: string | null;

  @Field({ description: 'Unique per batch: sending the same key again returns the first outcomes and writes nothing.' })
  @IsString()
  @MinLength(8)
  @MaxLength(200)
  @Matches(/^[\x21-\x7e]+$/, { message: 'must be printable ASCII without spaces' })
  idempotencyKey: string;

  @Field(() => [EnrolmentRowInput])
  @ArrayNotEmpty()
  @ArrayMaxSize(MAX_ENROLMENT_ROWS, { message: `at most ${MAX_ENROLMENT_ROWS} rows per batch` })
  @ValidateNested({ each: true })
  @Type(() => EnrolmentRowInput)
  rows: EnrolmentRowInput[];
}

export const ENROLMENT_OUTCOMES = ['CREATED', 'ALREADY_ENROLLED', 'REJECTED'] as const;
export type EnrolmentOutcomeKind = (typeof ENROLMENT_OUTCOMES)[number];
export const EnrolmentOutcomeEnum = Object.fromEntries(ENROLMENT_OUTCOMES.map((o) => [o, o])) as Record<EnrolmentOutcomeKind, EnrolmentOutcomeKind>;
registerEnumType(EnrolmentOutcomeEnum, { name: 'EnrolmentOutcomeKind' });

@ObjectType('RowError')
export class RowErrorModel {
  @Field({ description: 'The field of the row, e.g. email or courseCode.' })
  field: string;

  @Field()
  message: string;
}

@ObjectType('EnrolmentOutcome')
export class EnrolmentOutcomeModel {
  @Field({ description: 'Position of the row in the request, from 0.' })
  row: number;

  @Field(() => EnrolmentOutcomeEnum)
  outcome: EnrolmentOutcomeKind;

  @Field(() => ID, { nullable: true })
  learnerId: string | null;

  @Field(() => ID, { nullable: true })
  enrolmentId: string | null;

  @Field(() => [RowErrorModel])
  errors: RowErrorModel[];
}

@ObjectType('EnrolLearnersResult')
export class EnrolLearnersResultModel {
  @Field({ description: 'True when this is the stored answer to an earlier request with the same key.' })
  replayed: boolean;

  @Field(() => [EnrolmentOutcomeModel])
  outcomes: EnrolmentOutcomeModel[];
}
