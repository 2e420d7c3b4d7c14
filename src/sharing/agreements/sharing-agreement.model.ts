import { ArgsType, Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { ArrayNotEmpty, ArrayUnique, IsBoolean, IsDate, IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { DISCLOSURE_CATEGORIES, type DisclosureCategory } from '../../common/disclosure-category';
import { DisclosureCategoryEnum } from '../../common/disclosure-category';
import { SHARING_BASES, SharingBasisEnum, type SharingBasis } from '../../common/sharing-basis';


@ObjectType('SharingAgreement', { description: 'One version of a sharing agreement. A change makes a new version; old ones stay readable.' })
export class SharingAgreementModel {
  @Field(() => ID, { description: 'Id of this version (what a disclosure points at).' })
  id: string;

  @Field(() => ID, { description: 'Stable id shared by every version.' })
  agreementId: string;

  @Field(() => Int)
  version: number;

  @Field(() => ID)
  recipientId: string;

  @Field(() => SharingBasisEnum)
  basis: SharingBasis;

  @Field(() => [DisclosureCategoryEnum])
  categories: DisclosureCategory[];

  @Field(() => ID, { nullable: true, description: 'The learner it covers; null: every employee of the recipient.' })
  learnerId: string | null;

  @Field(() => [ID], { nullable: true, description: 'The courses it covers; null: every course.' })
  courseIds: string[] | null;

  @Field()
  validFrom: Date;

  @Field(() => Date, { nullable: true })
  validUntil: Date | null;

  @Field({ description: 'Processing agreement, balancing test or contract reference; consent text version for CONSENT.' })
  reference: string;

  @Field()
  createdBy: string;

  @Field()
  createdAt: Date;

  @Field(() => Date, { nullable: true, description: 'Revocation (for CONSENT: withdrawal).' })
  revokedAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the next version replaced this one.' })
  supersededAt: Date | null;
}

@InputType()
export class CreateSharingAgreementInput {
  @Field(() => ID, { description: 'The employer that receives the data.' })
  @IsUUID()
  recipientId: string;

  @Field(() => SharingBasisEnum, { description: 'PROCESSOR, LEGITIMATE_INTEREST or STUDY_CONTRACT; consent is given by the learner (grantConsent).' })
  @IsIn(SHARING_BASES)
  basis: SharingBasis;

  @Field(() => [DisclosureCategoryEnum])
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(DISCLOSURE_CATEGORIES, { each: true })
  categories: DisclosureCategory[];

  @Field(() => ID, { nullable: true, description: 'Required for STUDY_CONTRACT; absent for the employee-wide bases.' })
  @IsOptional()
  @IsUUID()
  learnerId?: string | null;

  @Field(() => [ID], { nullable: true, description: 'Limit to these courses; absent: every course.' })
  @IsOptional()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsUUID('all', { each: true })
  courseIds?: string[] | null;

  @Field()
  @IsDate()
  validFrom: Date;

  @Field(() => Date, { nullable: true })
  @IsOptional()
  @IsDate()
  validUntil?: Date | null;

  @Field({ description: 'Processing agreement, balancing test (legitimate interest) or contract reference.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reference: string;
}

@InputType()
export class ChangeSharingAgreementInput {
  @Field(() => [DisclosureCategoryEnum], { nullable: true })
  @IsOptional()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(DISCLOSURE_CATEGORIES, { each: true })
  categories?: DisclosureCategory[];

  @Field(() => [ID], { nullable: true, description: 'New course scope; send an empty list for "every course".' })
  @IsOptional()
  @ArrayUnique()
  @IsUUID('all', { each: true })
  courseIds?: string[];

  @Field({ nullable: true })
  @IsOptional()
  @IsDate()
  validFrom?: Date;

  @Field(() => Date, { nullable: true })
  @IsOptional()
  @IsDate()
  validUntil?: Date | null;

  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reference?: string;
}

@InputType()
export class GrantConsentInput {
  @Field(() => ID, { description: 'The employer or broker the learner chooses to share with.' })
  @IsUUID()
  recipientId: string;

  @Field(() => [DisclosureCategoryEnum])
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(DISCLOSURE_CATEGORIES, { each: true })
  categories: DisclosureCategory[];

  @Field(() => [ID], { nullable: true, description: 'Limit to these courses; absent: every course.' })
  @IsOptional()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsUUID('all', { each: true })
  courseIds?: string[] | null;

  @Field(() => Date, { nullable: true, description: 'Consent ends by itself at this instant; absent: until withdrawn.' })
  @IsOptional()
  @IsDate()
  validUntil?: Date | null;

  @Field({ description: 'Version of the consent text the learner agreed to (kept as proof).' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  consentTextVersion: string;
}

@ArgsType()
export class SharingAgreementsArgs {
  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID()
  recipientId?: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID()
  learnerId?: string;

  @Field({ defaultValue: false, description: 'Include superseded versions.' })
  @IsBoolean()
  includeHistory: boolean;
}
