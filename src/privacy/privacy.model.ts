import { Field, ID, ObjectType } from '@nestjs/graphql';

@ObjectType('Objection', { description: 'An objection to a recipient\'s legitimate interest (GDPR Art. 21).' })
export class ObjectionModel {
  @Field(() => ID)
  id: string;

  @Field(() => ID)
  learnerId: string;

  @Field(() => ID, { description: 'The recipient whose legitimate interest is objected to.' })
  recipientId: string;

  @Field(() => ID, { description: 'The agreement the objection was made against.' })
  agreementId: string;

  @Field(() => String, { nullable: true })
  grounds: string | null;

  @Field()
  objectedAt: Date;

  @Field(() => Date, { nullable: true })
  liftedAt: Date | null;
}

@ObjectType('Restriction', { description: 'A restriction of processing (GDPR Art. 18).' })
export class RestrictionModel {
  @Field(() => ID)
  id: string;

  @Field(() => ID)
  learnerId: string;

  @Field(() => String, { nullable: true })
  reason: string | null;

  @Field()
  requestedAt: Date;

  @Field(() => Date, { nullable: true })
  liftedAt: Date | null;
}
