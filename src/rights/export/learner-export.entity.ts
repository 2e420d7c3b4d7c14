import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { LOCALES, type Locale } from '../../common/locale';
import { LearnerEntity } from '../../learners/learner.entity';
import { DataSubjectRequestEntity } from '../../requests/data-subject-request.entity';

export const EXPORT_STATUSES = ['PENDING', 'READY', 'FAILED', 'EXPIRED'] as const;
export type ExportStatus = (typeof EXPORT_STATUSES)[number];

/**
 * A copy of everything held about a learner (GDPR Art. 15 and 20), as JSON and as a PDF in their
 * language (docs/learner-rights.md, "Export"). The files live in `learner_export_chunks` until
 * they expire; this row stays, as the record of what was handed over and when.
 */
@Entity('learner_exports')
@Index('learner_exports_learner_idx', ['learnerId', 'id'])
@Index('learner_exports_expiry_idx', ['expiresAt'], { where: `"status" = 'READY'` })
@Index('learner_exports_request_idx', ['requestId'])
export class LearnerExportEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'learner_id', type: 'uuid' })
  learnerId: string;

  @ManyToOne(() => LearnerEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'learner_id' })
  learner?: LearnerEntity;

  /** The access or portability request it answers. */
  @Column({ name: 'request_id', type: 'uuid', nullable: true })
  requestId: string | null;

  @ManyToOne(() => DataSubjectRequestEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'request_id' })
  request?: DataSubjectRequestEntity;

  @Column({ type: 'enum', enum: EXPORT_STATUSES, enumName: 'export_status', default: 'PENDING' })
  status: ExportStatus;

  /** The PDF's language: the learner's locale when the export was asked for. */
  @Column({ type: 'enum', enum: LOCALES, enumName: 'locale' })
  locale: Locale;

  @Column({ name: 'requested_by', type: 'text' })
  requestedBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'ready_at', type: 'timestamptz', nullable: true })
  readyAt: Date | null;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ name: 'json_bytes', type: 'integer', nullable: true })
  jsonBytes: number | null;

  @Column({ name: 'pdf_bytes', type: 'integer', nullable: true })
  pdfBytes: number | null;

  /** SHA-256 of each file, so the learner can check what they downloaded. */
  @Column({ name: 'json_sha256', type: 'text', nullable: true })
  jsonSha256: string | null;

  @Column({ name: 'pdf_sha256', type: 'text', nullable: true })
  pdfSha256: string | null;
}
