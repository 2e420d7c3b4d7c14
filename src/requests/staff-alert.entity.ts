import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { DataSubjectRequestEntity } from './data-subject-request.entity';

export const STAFF_ALERT_KINDS = ['REQUEST_DUE_IN_A_WEEK', 'REQUEST_DUE_TOMORROW'] as const;
export type StaffAlertKind = (typeof STAFF_ALERT_KINDS)[number];

/** The provider staff's in-app inbox: learner requests about to fall due. */
@Entity('staff_alerts')
@Index('staff_alerts_unread_idx', ['id'], { where: '"read_at" IS NULL' })
@Index('staff_alerts_request_idx', ['requestId'])
export class StaffAlertEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'enum', enum: STAFF_ALERT_KINDS, enumName: 'staff_alert_kind' })
  kind: StaffAlertKind;

  @Column({ name: 'request_id', type: 'uuid' })
  requestId: string;

  @ManyToOne(() => DataSubjectRequestEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'request_id' })
  request?: DataSubjectRequestEntity;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'read_at', type: 'timestamptz', nullable: true })
  readAt: Date | null;
}
