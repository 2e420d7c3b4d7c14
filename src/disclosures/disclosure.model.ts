import { ArgsType, Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { IsDate, IsIn, IsOptional, IsUUID } from 'class-validator';
import type { DisclosureCategory } from '../common/disclosure-category';
import { DisclosureCategoryEnum } from '../common/disclosure-category';
import { LOCALES, LocaleEnum, type Locale } from '../common/locale';
import { Connection, PageArgs } from '../common/pagination/connection';
import { SharingBasisEnum } from '../common/sharing-basis';
import { enumOf } from '../common/graphql/enum-of';
import { LEDGER_ENTRY_KINDS, type LedgerEntryKind } from './disclosure.entity';
import type { SharingBasis } from '../common/sharing-basis';

@ObjectType('OrganisationRef', { description: 'An organisation by its name: who received data, or on whose behalf.' })
export class OrganisationRefModel {
  @Field(() => ID)
  id: string;

  @Field()
  name: string;
}

@ObjectType('AgreementVersionRef', {
  description: 'One version of a sharing agreement, as it read when it allowed a disclosure (versions are kept: docs/sharing-rules.md rule 13).',
})
export class AgreementVersionRefModel {
  @Field(() => ID, { description: 'The id of this version.' })
  id: string;

  @Field(() => ID, { description: 'Shared by all versions of the agreement.' })
  agreementId: string;

  @Field(() => Int)
  version: number;

  @Field({ description: 'Processing agreement, balancing test or contract reference; for CONSENT, the consent text version.' })
  reference: string;

  @Field(() => SharingBasisEnum)
  basis: SharingBasis;

  @Field()
  validFrom: Date;

  @Field(() => Date, { nullable: true })
  validUntil: Date | null;

  @Field(() => Date, { nullable: true, description: 'For CONSENT: when it was withdrawn.' })
  revokedAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When a newer version replaced this one (null: still the current version).' })
  supersededAt: Date | null;
}

@ObjectType('DisclosedCategory')
export class DisclosedCategoryModel {
  @Field(() => DisclosureCategoryEnum)
  category: DisclosureCategory;

  @Field({ description: 'The category in words, as in a sentence ("progress"), in the language asked for (the `locale` argument).' })
  label: string;

  @Field(() => SharingBasisEnum)
  basis: SharingBasis;

  @Field({ description: 'The basis by its short name ("Consent"), for a table cell.' })
  basisLabel: string;

  @Field({ description: 'The basis as a sentence addressed to the learner ("your consent"), as in their emails.' })
  basisDescription: string;

  @Field(() => AgreementVersionRefModel, { nullable: true, description: 'The exact agreement version that allowed it (null only if it no longer exists).' })
  agreement?: AgreementVersionRefModel | null;

  @Field(() => OrganisationRefModel, { nullable: true, description: 'For a broker reading through a mandate: the employer it acted for, by name.' })
  onBehalfOfOrganisation?: OrganisationRefModel | null;

  @Field(() => ID)
  agreementId: string;

  @Field(() => ID, { description: 'The exact agreement version that allowed it.' })
  agreementVersionId: string;

  @Field(() => Int)
  agreementVersion: number;

  @Field(() => ID, { nullable: true, description: 'For a broker reading through a mandate: the employer whose view it was.' })
  onBehalfOf: string | null;
}

@ObjectType('DisclosedEnrolment')
export class DisclosedEnrolmentModel {
  @Field(() => ID)
  enrolmentId: string;

  @Field(() => ID)
  courseId: string;

  @Field(() => String, { nullable: true })
  courseTitle?: string | null;

  @Field(() => [DisclosedCategoryModel])
  categories: DisclosedCategoryModel[];
}

export const LedgerEntryKindEnum = enumOf(
  LEDGER_ENTRY_KINDS,
  'LedgerEntryKind',
  'DISCLOSURE: data was disclosed to the recipient. ACCESS_ENDED: the recipient was told to delete what it had received of the listed enrolments and categories (docs/events.md).',
);

@ObjectType('Disclosure', {
  description:
    'One ledger entry about one learner: what one request disclosed (kind DISCLOSURE), or that the recipient was told to delete what it had received (kind ACCESS_ENDED; its items list what).',
})
export class DisclosureModel {
  @Field(() => ID)
  id: string;

  @Field(() => LedgerEntryKindEnum)
  kind: LedgerEntryKind;

  @Field(() => String, {
    nullable: true,
    description: 'ACCESS_ENDED: the reason the recipient was given (NOT_SHARED, AGREEMENT_ENDED, EMPLOYMENT_ENDED, MANDATE_ENDED).',
  })
  reason?: string | null;

  @Field()
  disclosedAt: Date;

  @Field({ description: 'The X-Request-Id of the request.' })
  requestId: string;

  @Field(() => String, { nullable: true })
  operationName: string | null;

  @Field(() => ID)
  recipientId: string;

  @Field(() => OrganisationRefModel, { nullable: true, description: 'Who received it, by name (null only if the organisation no longer exists).' })
  recipient?: OrganisationRefModel | null;

  @Field(() => [OrganisationRefModel], { description: 'The employers a broker acted for in this disclosure, by name (empty when the recipient read for itself).' })
  onBehalfOf?: OrganisationRefModel[];

  @Field({ description: 'The acting subject: the API client, or the person, behind the request.' })
  actorSubject: string;

  @Field(() => String, { nullable: true })
  apiClientId: string | null;

  @Field(() => ID)
  learnerId: string;

  @Field(() => [DisclosedEnrolmentModel])
  items: DisclosedEnrolmentModel[];
}

@ObjectType()
export class DisclosureConnection extends Connection(DisclosureModel) {}

@ArgsType()
export class DisclosuresArgs extends PageArgs {
  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID()
  learnerId?: string;

  @Field(() => ID, { nullable: true, description: 'Provider staff only.' })
  @IsOptional()
  @IsUUID()
  recipientId?: string;

  @Field({ nullable: true, description: 'From this instant (inclusive).' })
  @IsOptional()
  @IsDate()
  from?: Date;

  @Field({ nullable: true, description: 'Until this instant (exclusive).' })
  @IsOptional()
  @IsDate()
  until?: Date;

  @Field(() => LocaleEnum, {
    nullable: true,
    description: "The language of the words (label, basisLabel, basisDescription). Default: a learner's own language; English for anyone else.",
  })
  @IsOptional()
  @IsIn(LOCALES)
  locale?: Locale;
}

@ObjectType('LedgerBrokenLink')
export class LedgerBrokenLinkModel {
  @Field(() => Int)
  chain: number;

  @Field()
  seq: string;

  @Field(() => ID, { nullable: true, description: 'Null when the problem is with a checkpoint (a cut tail).' })
  batchId: string | null;

  @Field(() => ID, { nullable: true })
  disclosureId: string | null;

  @Field()
  problem: string;
}

@ObjectType('LedgerVerification')
export class LedgerVerificationModel {
  @Field()
  ok: boolean;

  @Field(() => Int)
  batchesChecked: number;

  @Field(() => Int)
  entriesChecked: number;

  @Field(() => Int, { description: 'Entries whose content retention removed; their hashes are still checked.' })
  entriesPurged: number;

  @Field(() => LedgerCheckpointModel, { nullable: true, description: 'The latest signed checkpoint the chains were compared with.' })
  checkpoint: LedgerCheckpointModel | null;

  @Field(() => LedgerBrokenLinkModel, { nullable: true })
  firstBroken: LedgerBrokenLinkModel | null;
}

@ObjectType('LedgerChainHead')
export class LedgerChainHeadModel {
  @Field(() => Int)
  chain: number;

  @Field({ description: 'Sequence number of the newest batch (a 64-bit integer, as text).' })
  seq: string;

  @Field()
  batchHash: string;

  @Field(() => Int, { description: 'Entries in the chain up to and including that batch.' })
  entries: number;
}

@ObjectType('LedgerCheckpoint', { description: "A signed record of every ledger chain's head: verification reports a chain that lost its tail since." })
export class LedgerCheckpointModel {
  @Field(() => ID)
  id: string;

  @Field()
  createdAt: Date;

  @Field(() => [LedgerChainHeadModel], { nullable: true })
  heads?: LedgerChainHeadModel[];

  @Field({ nullable: true, description: 'The signing key that signed it.' })
  kid?: string;
}
