import { Field, ID, ObjectType } from '@nestjs/graphql';
import { LocaleEnum } from '../common/graphql/enums';
import { Connection } from '../common/pagination/connection';
import type { Locale } from './locale';

@ObjectType('Employment')
export class EmploymentModel {
  @Field(() => ID)
  id: string;

  @Field(() => ID)
  learnerId: string;

  @Field(() => ID)
  employerId: string;

  @Field()
  employeeNumber: string;

  @Field({ description: 'First day employed (YYYY-MM-DD, Europe/Amsterdam).' })
  startedOn: string;

  @Field(() => String, { nullable: true, description: 'Last day employed, inclusive (YYYY-MM-DD).' })
  endedOn: string | null;
}

@ObjectType('Learner')
export class LearnerModel {
  @Field(() => ID)
  id: string;

  @Field()
  name: string;

  @Field()
  email: string;

  @Field(() => LocaleEnum)
  locale: Locale;

  @Field(() => String, { nullable: true, description: "Subject id at the learning platform's identity provider." })
  externalSubjectId: string | null;

  @Field()
  createdAt: Date;

  @Field()
  updatedAt: Date;
}

@ObjectType()
export class LearnerConnection extends Connection(LearnerModel) {}
