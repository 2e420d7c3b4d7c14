import { ArgsType, Field, InputType } from '@nestjs/graphql';
import { IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { OrganisationKindEnum } from './organisation-kind';
import { PageArgs } from '../common/pagination/connection';
import { ORGANISATION_KINDS, type OrganisationKind } from './organisation-kind';

const KVK = /^\d{8}$/;

@InputType()
export class CreateOrganisationInput {
  @Field(() => OrganisationKindEnum)
  @IsIn(ORGANISATION_KINDS)
  kind: OrganisationKind;

  @Field()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @Field(() => String, { nullable: true, description: 'Dutch chamber-of-commerce (KvK) number: 8 digits.' })
  @IsOptional()
  @Matches(KVK, { message: 'must be 8 digits' })
  chamberOfCommerceNumber?: string | null;
}

@InputType()
export class UpdateOrganisationInput {
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(KVK, { message: 'must be 8 digits' })
  chamberOfCommerceNumber?: string | null;
}

@ArgsType()
export class OrganisationsArgs extends PageArgs {
  @Field(() => OrganisationKindEnum, { nullable: true })
  @IsOptional()
  @IsIn(ORGANISATION_KINDS)
  kind?: OrganisationKind;
}
