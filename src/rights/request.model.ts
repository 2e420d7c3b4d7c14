import { ArgsType, Field, ID, InputType, ObjectType } from '@nestjs/graphql';
import { IsBoolean, IsDate, IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { REQUEST_CHANNELS, REQUEST_KINDS, REQUEST_STATUSES, RequestChannelEnum, RequestKindEnum, RequestStatusEnum } from '../requests/request-kinds';
import type { RequestChannel, RequestKind, RequestStatus } from '../requests/request-kinds';
import { STAFF_ALERT_KINDS, type StaffAlertKind } from '../requests/staff-alert.entity';
import { enumOf } from '../common/graphql/enum-of';

export const StaffAlertKindEnum = enumOf(STAFF_ALERT_KINDS, 'StaffAlertKind');

@ObjectType('PrivacyRequest', { description: 'A request in the register of data-subject requests (docs/learner-rights.md).' })
export class PrivacyRequestModel {
  @Field(() => ID)
  id: string;

  @Field(() => ID)
  learnerId: string;

  @Field(() => RequestKindEnum)
  kind: RequestKind;

  @Field(() => RequestChannelEnum)
  channel: RequestChannel;

  @Field(() => String, { nullable: true })
  details: string | null;

  @Field({ description: 'How the requester was identified.' })
  identityVerification: string;

  @Field()
  receivedAt: Date;

  @Field({ description: 'Received + 28 days (Europe/Amsterdam calendar).' })
  originalDueAt: Date;

  @Field({ description: 'The deadline in force: the original one or the extension.' })
  dueAt: Date;

  @Field(() => Date, { nullable: true })
  extendedUntil: Date | null;

  @Field(() => String, { nullable: true })
  extensionReason: string | null;

  @Field(() => RequestStatusEnum)
  status: RequestStatus;

  @Field({ description: 'Open and past its deadline.' })
  overdue: boolean;

  @Field(() => Date, { nullable: true })
  answeredAt: Date | null;

  @Field(() => String, { nullable: true, description: 'The answer, or the reason for the rejection.' })
  answer: string | null;

  @Field(() => String, { nullable: true, description: 'Provider staff only: who recorded it.' })
  recordedBy: string | null;
}

@ObjectType('StaffAlert', { description: "Provider staff's inbox: a learner request about to fall due." })
export class StaffAlertModel {
  @Field(() => ID)
  id: string;

  @Field(() => StaffAlertKindEnum)
  kind: StaffAlertKind;

  @Field(() => ID)
  requestId: string;

  @Field()
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  readAt: Date | null;
}

@InputType()
export class FileRequestInput {
  @Field(() => RequestKindEnum)
  @IsIn(REQUEST_KINDS)
  kind: RequestKind;

  @Field(() => String, { nullable: true, description: 'What you ask, in your own words.' })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  details?: string | null;
}

@InputType()
export class RecordRequestInput {
  @Field(() => ID)
  @IsUUID()
  learnerId: string;

  @Field(() => RequestKindEnum)
  @IsIn(REQUEST_KINDS)
  kind: RequestKind;

  @Field(() => RequestChannelEnum, { description: 'How it arrived (API is for requests learners make themselves).' })
  @IsIn(REQUEST_CHANNELS.filter((c) => c !== 'API'))
  channel: RequestChannel;

  @Field({ nullable: true, description: 'When it arrived; default now. Not in the future.' })
  @IsOptional()
  @IsDate()
  receivedAt?: Date;

  @Field({ description: 'How the requester was identified (e.g. "called back on the number on file").' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  identityVerification: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  details?: string | null;
}

@ArgsType()
export class PrivacyRequestsArgs {
  @Field(() => ID, { nullable: true, description: 'Provider staff: one learner. Learners always get their own.' })
  @IsOptional()
  @IsUUID()
  learnerId?: string;

  @Field(() => RequestStatusEnum, { nullable: true })
  @IsOptional()
  @IsIn(REQUEST_STATUSES)
  status?: RequestStatus;

  @Field({ defaultValue: false, description: 'Only RECEIVED and IN_PROGRESS, by due date.' })
  @IsBoolean()
  openOnly: boolean;

  @Field({ defaultValue: false, description: 'Only open requests past their deadline.' })
  @IsBoolean()
  overdueOnly: boolean;
}
