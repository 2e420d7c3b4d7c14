import { ArgsType, Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { DISCLOSURE_CATEGORIES, type DisclosureCategory } from '../../common/disclosure-category';
import { DisclosureCategoryEnum } from '../../common/disclosure-category';
import { SharingBasisEnum } from '../../common/sharing-basis';
import type { SharingBasis } from '../../common/sharing-basis';
import { WithheldReasonEnum } from '../gate/withheld.model';
import type { WithheldReason } from '../gate/withheld-reason';

@ArgsType()
export class ExplainArgs {
  @Field(() => ID)
  @IsUUID()
  learnerId: string;

  @Field(() => ID)
  @IsUUID()
  enrolmentId: string;

  @Field(() => DisclosureCategoryEnum)
  @IsIn(DISCLOSURE_CATEGORIES)
  category: DisclosureCategory;

  @Field(() => ID, { nullable: true, description: 'Whose view to explain: required for the learner and provider staff; employers and brokers always get their own.' })
  @IsOptional()
  @IsUUID()
  recipientId?: string;
}

@ObjectType('DisclosureExplanation')
export class ExplanationModel {
  @Field(() => DisclosureCategoryEnum)
  category: DisclosureCategory;

  @Field(() => ID)
  recipientId: string;

  @Field()
  allowed: boolean;

  @Field(() => SharingBasisEnum, { nullable: true })
  basis: SharingBasis | null;

  @Field(() => ID, { nullable: true, description: 'The agreement that allows it (stable id).' })
  agreementId: string | null;

  @Field(() => ID, { nullable: true, description: 'The exact version that allows it.' })
  agreementVersionId: string | null;

  @Field(() => Int, { nullable: true })
  agreementVersion: number | null;

  @Field(() => ID, { nullable: true, description: 'For a broker reading through a mandate: the employer whose view it is.' })
  onBehalfOfId: string | null;

  @Field(() => [WithheldReasonEnum], { description: 'Every reason it is withheld (empty when allowed).' })
  reasons: WithheldReason[];
}
