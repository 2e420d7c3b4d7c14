import { Field, ID, ObjectType } from '@nestjs/graphql';
import type { DisclosureCategory } from '../common/disclosure-category';
import { DisclosureCategoryEnum } from '../common/disclosure-category';
import { MandatePermissionEnum } from './mandate-permission';
import type { MandatePermission } from './mandate-permission';

@ObjectType('BrokerMandate')
export class BrokerMandateModel {
  @Field(() => ID)
  id: string;

  @Field(() => ID)
  brokerId: string;

  @Field(() => ID)
  employerId: string;

  @Field()
  validFrom: Date;

  @Field(() => Date, { nullable: true })
  validUntil: Date | null;

  @Field(() => [MandatePermissionEnum])
  permissions: MandatePermission[];

  @Field(() => [DisclosureCategoryEnum], { description: 'Categories the broker may read through this mandate (with VIEW_RESULTS).' })
  categories: DisclosureCategory[];

  @Field(() => Date, { nullable: true })
  revokedAt: Date | null;

  @Field()
  createdAt: Date;
}
