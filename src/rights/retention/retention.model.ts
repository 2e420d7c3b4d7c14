import { Field, InputType, Int, ObjectType } from '@nestjs/graphql';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { enumOf } from '../../common/graphql/enum-of';
import { RECORD_KINDS, RETENTION_EVENTS, type RecordKind, type RetentionEvent } from './retention-rule.entity';

export const RecordKindEnum = enumOf(RECORD_KINDS, 'RetentionRecordKind', 'A kind of record a retention rule keeps (docs/retention.md).');
export const RetentionEventEnum = enumOf(RETENTION_EVENTS, 'RetentionEvent', 'The event a retention period is counted from.');

@ObjectType('RetentionRule', { description: 'How long a kind of record is kept, on which ground, from which event (docs/retention.md).' })
export class RetentionRuleModel {
  @Field(() => RecordKindEnum)
  recordKind: RecordKind;

  @Field({ description: "Certificates: the accreditation body this period is for; '' for every other body." })
  accreditationBody: string;

  @Field()
  legalGround: string;

  @Field(() => Int)
  periodMonths: number;

  @Field(() => RetentionEventEnum)
  countedFrom: RetentionEvent;

  @Field()
  updatedBy: string;

  @Field()
  updatedAt: Date;
}

@InputType()
export class SetRetentionRuleInput {
  @Field(() => RecordKindEnum)
  @IsIn(RECORD_KINDS)
  recordKind: RecordKind;

  @Field({ nullable: true, description: "Certificates only: the accreditation body (its register's period). Omit for the default rule." })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  accreditationBody?: string;

  @Field()
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  legalGround: string;

  @Field(() => Int, { description: '0 to 1200 months.' })
  @IsInt()
  @Min(0)
  @Max(1200)
  periodMonths: number;

  @Field(() => RetentionEventEnum, { nullable: true, description: 'Default: the one event the kind is counted from.' })
  @IsOptional()
  @IsIn(RETENTION_EVENTS)
  countedFrom?: RetentionEvent;
}

@ObjectType('RetentionCount')
export class RetentionCountModel {
  @Field({ description: 'A record kind, or AGREEMENT_PROOF / ERASURE_COMPLETED.' })
  kind: string;

  @Field(() => Int)
  rows: number;
}

@ObjectType('RetentionRun', { description: 'What one run of the retention job did, per kind of record.' })
export class RetentionRunModel {
  @Field()
  id: string;

  @Field()
  startedAt: Date;

  @Field(() => Date, { nullable: true })
  finishedAt: Date | null;

  @Field(() => [RetentionCountModel])
  counts: RetentionCountModel[];
}
