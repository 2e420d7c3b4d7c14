import { Args, Query, Resolver } from '@nestjs/graphql';
import type { Actor } from '../../auth/actor';
import { Allow, CurrentActor } from '../../auth/auth.decorators';
import { ExplainArgs, ExplanationModel } from './explain.model';
import { ExplainService } from './explain.service';

@Resolver(() => ExplanationModel)
export class ExplainResolver {
  constructor(private readonly explainer: ExplainService) {}

  @Query(() => ExplanationModel, {
    description: 'Which agreement allows a (learner, enrolment, category), or every reason it is withheld. Employers and brokers see their own view, with the learner\'s choices masked.',
  })
  @Allow('PROVIDER_STAFF', 'EMPLOYER_CLIENT', 'BROKER_CLIENT', 'LEARNER')
  explainDisclosure(@CurrentActor() actor: Actor, @Args() args: ExplainArgs) {
    return this.explainer.explain(actor, args);
  }
}
