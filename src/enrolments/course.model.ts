import { Field, Float, ID, ObjectType } from '@nestjs/graphql';
import { Connection } from '../common/pagination/connection';

@ObjectType('Course')
export class CourseModel {
  @Field(() => ID)
  id: string;

  @Field()
  code: string;

  @Field()
  title: string;

  @Field(() => String, { nullable: true })
  accreditationBody: string | null;

  @Field(() => Float, { nullable: true, description: 'Accreditation points the course carries (catalogue data).' })
  accreditationPoints: number | null;
}

@ObjectType()
export class CourseConnection extends Connection(CourseModel) {}
