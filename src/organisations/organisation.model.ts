import { Field, ID, ObjectType } from '@nestjs/graphql';
import { OrganisationKindEnum } from './organisation-kind';
import { Connection } from '../common/pagination/connection';
import type { OrganisationKind } from './organisation-kind';

@ObjectType('Organisation')
export class OrganisationModel {
  @Field(() => ID)
  id: string;

  @Field(() => OrganisationKindEnum)
  kind: OrganisationKind;

  @Field()
  name: string;

  @Field(() => String, { nullable: true })
  chamberOfCommerceNumber: string | null;

  @Field()
  createdAt: Date;
}

@ObjectType()
export class OrganisationConnection extends Connection(OrganisationModel) {}
