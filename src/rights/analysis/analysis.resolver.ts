import { Args, Query, Resolver } from '@nestjs/graphql';
import { Allow } from '../../auth/auth.decorators';
import { CourseAnalysisArgs, CourseAnalysisCellModel } from './analysis.model';
import { AnalysisService } from './analysis.service';

/** The anonymised analysis for provider staff (docs/analysis.md). */
@Resolver()
export class AnalysisResolver {
  constructor(private readonly analysis: AnalysisService) {}

  @Query(() => [CourseAnalysisCellModel], {
    description:
      'Provider staff: enrolments, completions, learners and average score per course and enrolment month, built from counts only; cells of fewer than 5 learners are suppressed. docs/analysis.md.',
  })
  @Allow('PROVIDER_STAFF')
  courseAnalysis(@Args() args: CourseAnalysisArgs) {
    return this.analysis.courseAnalysis(args);
  }
}
