import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { OrganisationEntity } from '../organisations/organisation.entity';
import { LearnerEntity } from './learner.entity';

/**
 * Learner ↔ employer. Dates are calendar dates in Europe/Amsterdam; `endedOn` is the last day
 * employed (inclusive): docs/sharing-rules.md rule 6.
 */
@Entity('employments')
@Index('employments_employer_learner_idx', ['employerId', 'learnerId'])
@Index('employments_learner_idx', ['learnerId'])
@Index('employments_employer_number_uq', ['employerId', 'employeeNumber'], { unique: true })
@Check('employments_dates_chk', '"ended_on" IS NULL OR "ended_on" >= "started_on"')
export class EmploymentEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'learner_id', type: 'uuid' })
  learnerId: string;

  @ManyToOne(() => LearnerEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'learner_id' })
  learner?: LearnerEntity;

  @Column({ name: 'employer_id', type: 'uuid' })
  employerId: string;

  @ManyToOne(() => OrganisationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'employer_id' })
  employer?: OrganisationEntity;

  @Column({ name: 'employee_number', type: 'text' })
  employeeNumber: string;

  @Column({ name: 'started_on', type: 'date' })
  startedOn: string;

  @Column({ name: 'ended_on', type: 'date', nullable: true })
  endedOn: string | null;

  /**
   * Set while the employment is only the employer's claim: recorded by an enrolment batch
   * (enrolLearners) for a person the employer had no relation with, whether new or already with
   * an account of their own. Answering those two differently would tell the employer who has an
   * account here, and linking an existing person outright would open their own courses to the
   * employer's employee-wide agreements. So both are claims: the person is told, and until
   * provider staff confirm it (`confirmEmployment`) the employer sees only what it supplied —
   * this name, the email, its employee number — and the enrolments it commissioned
   * (docs/sharing-rules.md rule 3).
   */
  @Column({ name: 'claimed_name', type: 'text', nullable: true })
  claimedName: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
