import { Field, ID, ObjectType } from '@nestjs/graphql';
import { LocaleEnum } from '../common/locale';
import { Connection } from '../common/pagination/connection';
import { EnrolmentModel } from '../enrolments/enrolment.model';
import { IdentityField, InternalField } from '../sharing/gate/field-policy';
import { WithheldModel } from '../sharing/gate/withheld.model';
import type { Locale } from '../common/locale';

@ObjectType('Employment')
export class EmploymentModel {
  @Field(() => ID)
  id: string;

  @InternalField(() => ID)
  learnerId: string;

  @InternalField(() => ID)
  employerId: string;

  @InternalField(() => String)
  employeeNumber: string;

  @InternalField(() => String, { description: 'First day employed (YYYY-MM-DD, Europe/Amsterdam).' })
  startedOn: string;

  @InternalField(() => String, { description: 'Last day employed, inclusive (YYYY-MM-DD).' })
  endedOn: string | null;

  @InternalField(() => String, {
    description:
      "Set while the employment is only the employer's claim (an enrolment batch named a person who already had an account): the name the employer gave. Cleared by confirmEmployment.",
  })
  claimedName: string | null;
}

@ObjectType('Learner')
export class LearnerModel {
  @Field(() => ID)
  id: string;

  @IdentityField(() => String)
  name: string;

  @IdentityField(() => String)
  email: string;

  @IdentityField(() => String, {
    nullable: true,
    description: "Employee number at the calling employer (a broker: at the employer that mandated it). Null for staff: see employments.",
  })
  employeeNumber?: string | null;

  @InternalField(() => LocaleEnum)
  locale: Locale;

  @InternalField(() => String, { description: "Subject id at the learning platform's identity provider." })
  externalSubjectId: string | null;

  @InternalField(() => [EmploymentModel])
  employments: EmploymentModel[];

  @Field(() => [EnrolmentModel], {
    description: 'Employers and brokers: the enrolments they commissioned or made, or may see something of; narrowed by the filters of `learners`.',
  })
  enrolments: EnrolmentModel[];

  @InternalField(() => Date)
  createdAt: Date;

  @InternalField(() => Date)
  updatedAt: Date;

  @Field(() => [WithheldModel])
  withheld: WithheldModel[];
}

@ObjectType()
export class LearnerConnection extends Connection(LearnerModel) {}
