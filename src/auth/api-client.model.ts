import { Field, ID, InputType, ObjectType } from '@nestjs/graphql';
import { IsNotEmpty, IsString, IsUUID, MaxLength } from 'class-validator';
import { ActorKindEnum } from './actor';
import type { ActorKind } from './actor';

@ObjectType('ApiClient')
export class ApiClientModel {
  @Field(() => ID)
  id: string;

  @Field(() => ID)
  organisationId: string;

  @Field()
  name: string;

  @Field({ description: 'Send as client_id to POST /oauth/token.' })
  clientId: string;

  @Field()
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  revokedAt: Date | null;
}

@ObjectType()
export class CreatedApiClient {
  @Field(() => ApiClientModel)
  apiClient: ApiClientModel;

  @Field({ description: 'Shown this once; only a hash is stored. Keep it in a secret store.' })
  clientSecret: string;
}

@InputType()
export class CreateApiClientInput {
  @Field(() => ID)
  @IsUUID()
  organisationId: string;

  @Field()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;
}

@ObjectType('Viewer', { description: 'The caller, as the API sees it.' })
export class ViewerModel {
  @Field(() => ActorKindEnum)
  kind: ActorKind;

  @Field()
  subject: string;

  @Field(() => ID, { nullable: true })
  organisationId?: string;

  @Field(() => ID, { nullable: true })
  learnerId?: string;
}
