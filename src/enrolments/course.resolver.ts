import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Allow } from '../auth/auth.decorators';
import { PageArgs } from '../common/pagination/connection';
import { CourseConnection, CourseModel } from './course.model';
import { CreateCourseInput, UpdateCourseInput } from './enrolment.inputs';
import { EnrolmentService } from './enrolment.service';

@Resolver(() => CourseModel)
export class CourseResolver {
  constructor(private readonly service: EnrolmentService) {}

  @Query(() => CourseConnection, { description: 'The course catalogue.' })
  @Allow('PROVIDER_STAFF', 'EMPLOYER_CLIENT', 'BROKER_CLIENT', 'LEARNER')
  courses(@Args() args: PageArgs) {
    return this.service.listCourses(args);
  }

  @Query(() => CourseModel)
  @Allow('PROVIDER_STAFF', 'EMPLOYER_CLIENT', 'BROKER_CLIENT', 'LEARNER')
  course(@Args('id', { type: () => ID }) id: string) {
    return this.service.getCourse(id);
  }

  @Mutation(() => CourseModel)
  @Allow('PROVIDER_STAFF')
  createCourse(@Args('input') input: CreateCourseInput) {
    return this.service.createCourse(input);
  }

  @Mutation(() => CourseModel)
  @Allow('PROVIDER_STAFF')
  updateCourse(@Args('id', { type: () => ID }) id: string, @Args('input') input: UpdateCourseInput) {
    return this.service.updateCourse(id, input);
  }
}
