import { Args, Mutation, Resolver } from '@nestjs/graphql';
import type { Actor } from '../auth/actor';
import { Allow, CurrentActor } from '../auth/auth.decorators';
import { UpdateLearnerInput } from '../learners/learner.inputs';
import { LearnerModel } from '../learners/learner.model';
import { LearnerService } from '../learners/learner.service';
import { VERIFIED_BY_LEARNER_TOKEN } from '../requests/request-kinds';
import { RequestRegister } from '../requests/request-register.service';

/** Rectification by the learner (GDPR Art. 16): their own name, email and language. */
@Resolver()
export class MyProfileResolver {
  constructor(
    private readonly learners: LearnerService,
    private readonly register: RequestRegister,
  ) {}

  @Mutation(() => LearnerModel, {
    description:
      'Correct your name, email or language. Each change is logged and registered as a rectification request answered at once. Data your employer supplied (employee number, employment dates) is corrected by the provider or your employer.',
  })
  @Allow('LEARNER')
  updateMyProfile(@CurrentActor() actor: Actor, @Args('input') input: UpdateLearnerInput) {
    const learnerId = actor.learnerId!;
    const by = `learner:${learnerId}`;
    return this.learners.update(learnerId, input, by, async (em, fields) => {
      if (fields.length === 0) return;
      await this.register.recordAnswered(em, {
        learnerId,
        kind: 'RECTIFICATION',
        channel: 'API',
        details: `Correct: ${fields.join(', ')}`,
        identityVerification: VERIFIED_BY_LEARNER_TOKEN,
        recordedBy: by,
        answer: `Corrected: ${fields.join(', ')}.`,
      });
    });
  }
}
