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

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
