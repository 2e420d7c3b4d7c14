import { ArgsType, Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import { LOCALES, LocaleEnum, type Locale } from '../common/locale';
import { Connection, PageArgs } from '../common/pagination/connection';
import { DisclosureModel, OrganisationRefModel } from '../disclosures/disclosure.model';
import { NOTIFICATION_FREQUENCIES, type NotificationFrequency } from '../learners/learner.entity';
import { SharingBasisEnum } from '../common/sharing-basis';
import type { SharingBasis } from '../common/sharing-basis';
import { NOTIFICATION_KINDS, type NotificationKind } from '../outbox/notification.entity';

export const NotificationKindEnum = Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, k])) as Record<NotificationKind, NotificationKind>;
registerEnumType(NotificationKindEnum, { name: 'NotificationKind' });
export const NotificationFrequencyEnum = Object.fromEntries(NOTIFICATION_FREQUENCIES.map((k) => [k, k])) as Record<NotificationFrequency, NotificationFrequency>;
registerEnumType(NotificationFrequencyEnum, {
  name: 'NotificationFrequency',
  description: 'IMMEDIATE: an email shortly after (disclosures close together are combined). DAILY / WEEKLY: a digest at 07:00 (weekly: Mondays). The in-app inbox always shows each at once.',
});

@ObjectType('Notification', { description: 'An item of the learner\'s in-app inbox.' })
export class NotificationModel {
  @Field(() => ID)
  id: string;

  @Field(() => NotificationKindEnum)
  kind: NotificationKind;

  @Field()
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  readAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it went out by email (null: not yet).' })
  emailedAt: Date | null;

  @Field(() => ID, { nullable: true, description: 'For DISCLOSURE: the ledger entry (see `disclosures`).' })
  disclosureId: string | null;

  @Field(() => ID, { nullable: true })
  recipientId?: string | null;

  @Field(() => SharingBasisEnum, { nullable: true })
  basis?: SharingBasis | null;

  @Field(() => OrganisationRefModel, { nullable: true, description: 'Who received your data (DISCLOSURE), or whom the event concerns, by name.' })
  recipient?: OrganisationRefModel | null;

  @Field(() => OrganisationRefModel, { nullable: true, description: 'For ENROLLED: the employer you were enrolled for, by name.' })
  onBehalfOf?: OrganisationRefModel | null;

  @Field(() => String, { nullable: true, description: 'The basis by its short name ("Toestemming"), in the language of the `locale` argument.' })
  basisLabel?: string | null;

  @Field(() => String, { nullable: true, description: 'The basis as a sentence addressed to you ("uw toestemming"), as in your emails.' })
  basisDescription?: string | null;

  @Field(() => String, { nullable: true, description: 'The title of the course the event is about, where there is one (for DISCLOSURE: see `disclosure`).' })
  courseTitle?: string | null;

  @Field(() => DisclosureModel, { nullable: true, description: 'For DISCLOSURE: the ledger entry itself, readable (names, words, agreement versions).' })
  disclosure?: DisclosureModel | null;
}

@ObjectType()
export class NotificationConnection extends Connection(NotificationModel) {}

@ArgsType()
export class NotificationsArgs extends PageArgs {
  @Field({ defaultValue: false })
  @IsBoolean()
  unreadOnly: boolean;

  @Field(() => LocaleEnum, { nullable: true, description: 'The language of the words (basisLabel, and those of `disclosure`). Default: your own.' })
  @IsOptional()
  @IsIn(LOCALES)
  locale?: Locale;
}

@ObjectType('FailedNotificationDelivery', { description: 'An email delivery that failed after every retry (dead letter).' })
export class FailedDeliveryModel {
  @Field(() => ID)
  jobId: string;

  @Field(() => [ID])
  learnerIds: string[];

  @Field()
  failedAt: Date;
}
