import { ArgsType, Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import { IsDate, IsOptional, IsUUID } from 'class-validator';

/**
 * One cell of the anonymised analysis (docs/analysis.md): a course and an enrolment month. Only
 * counts and an average — nothing here names or points to a learner.
 */
@ObjectType('CourseAnalysisCell', { description: 'Counts for one course and enrolment month (Europe/Amsterdam); erased and purged learners included. docs/analysis.md.' })
export class CourseAnalysisCellModel {
  @Field(() => ID)
  courseId: string;

  @Field()
  courseCode: string;

  @Field()
  courseTitle: string;

  @Field({ description: 'The enrolment month, YYYY-MM, on the Europe/Amsterdam calendar.' })
  month: string;

  @Field({ description: 'Fewer than 5 learners: every count of the cell is withheld (null).' })
  suppressed: boolean;

  @Field(() => Int, { nullable: true, description: 'Distinct learners enrolled in the course that month.' })
  learners: number | null;

  @Field(() => Int, { nullable: true, description: 'Enrolments made that month (a learner may have more than one).' })
  enrolments: number | null;

  @Field(() => Int, { nullable: true, description: 'Of those enrolments, how many are completed.' })
  completions: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'The average of every assessment result of those enrolments, as a percentage of its maximum (one decimal); null when fewer than 5 learners have a result.',
  })
  averageScorePercent: number | null;
}

@ArgsType()
export class CourseAnalysisArgs {
  @Field({ description: 'From the enrolment month that contains this instant (Europe/Amsterdam).' })
  @IsDate()
  from: Date;

  @Field({ description: 'Up to and including the month that contains the last instant before this one; at most 60 months after `from`.' })
  @IsDate()
  until: Date;

  @Field(() => ID, { nullable: true, description: 'One course; all courses when left out.' })
  @IsOptional()
  @IsUUID()
  courseId?: string | null;
}
