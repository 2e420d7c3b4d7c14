import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { numericTransformer } from '../common/numeric.transformer';
import { EnrolmentEntity } from './enrolment.entity';

@Entity('assessment_results')
@Index('assessment_results_enrolment_idx', ['enrolmentId', 'attemptedAt'])
@Check('assessment_results_score_chk', '"score" >= 0 AND "score" <= "max_score" AND "max_score" > 0')
export class AssessmentResultEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'enrolment_id', type: 'uuid' })
  enrolmentId: string;

  @ManyToOne(() => EnrolmentEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'enrolment_id' })
  enrolment?: EnrolmentEntity;

  @Column({ name: 'assessment_name', type: 'text' })
  assessmentName: string;

  @Column({ name: 'attempted_at', type: 'timestamptz' })
  attemptedAt: Date;

  @Column({ type: 'numeric', precision: 8, scale: 2, transformer: numericTransformer })
  score: number;

  @Column({ name: 'max_score', type: 'numeric', precision: 8, scale: 2, transformer: numericTransformer })
  maxScore: number;

  @Column({ type: 'boolean' })
  passed: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
