import { Field, ID, InputType } from '@nestjs/graphql';
import { ArrayNotEmpty, ArrayUnique, IsDate, IsIn, IsOptional, IsUUID } from 'class-validator';
import { DISCLOSURE_CATEGORIES, type DisclosureCategory } from '../common/disclosure-category';
import { DisclosureCategoryEnum } from '../common/disclosure-category';
import { MandatePermissionEnum } from './mandate-permission';
import { MANDATE_PERMISSIONS, type MandatePermission } from './mandate-permission';

@InputType()
export class CreateBrokerMandateInput {
  @Field(() => ID)
  @IsUUID()
  brokerId: string;

  @Field(() => ID)
  @IsUUID()
  employerId: string;

  @Field()
  @IsDate()
  validFrom: Date;

  @Field(() => Date, { nullable: true })
  @IsOptional()
  @IsDate()
  validUntil?: Date | null;

  @Field(() => [MandatePermissionEnum])
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(MANDATE_PERMISSIONS, { each: true })
  permissions: MandatePermission[];

  @Field(() => [DisclosureCategoryEnum], { defaultValue: [] })
  @ArrayUnique()
  @IsIn(DISCLOSURE_CATEGORIES, { each: true })
  categories: DisclosureCategory[];
}

@InputType()
export class ChangeBrokerMandateInput {
  @Field(() => Date, { nullable: true, description: 'New end of validity; null: open-ended.' })
  @IsOptional()
  @IsDate()
  validUntil?: Date | null;

  @Field(() => [MandatePermissionEnum], { nullable: true })
  @IsOptional()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(MANDATE_PERMISSIONS, { each: true })
  permissions?: MandatePermission[];

  @Field(() => [DisclosureCategoryEnum], { nullable: true })
  @IsOptional()
  @ArrayUnique()
  @IsIn(DISCLOSURE_CATEGORIES, { each: true })
  categories?: DisclosureCategory[];
}
