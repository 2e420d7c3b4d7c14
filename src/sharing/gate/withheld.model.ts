import { Field, ObjectType, registerEnumType } from '@nestjs/graphql';
import { WITHHELD_REASONS, type WithheldReason } from './withheld-reason';

export const WithheldReasonEnum = Object.fromEntries(WITHHELD_REASONS.map((r) => [r, r])) as Record<WithheldReason, WithheldReason>;
registerEnumType(WithheldReasonEnum, {
  name: 'WithheldReason',
  description: 'Why a value is withheld. Employers and brokers see a learner\'s own choices (withdrawn consent, objection, restriction, erasure) as NOT_SHARED.',
});

@ObjectType('Withheld')
export class WithheldModel {
  @Field({ description: 'The field that is null because it is withheld.' })
  field: string;

  @Field(() => WithheldReasonEnum)
  reason: WithheldReason;
}
