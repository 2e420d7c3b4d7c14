import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A processed enrolLearners batch, kept so the same idempotency key returns the same outcomes and
 * writes nothing (a client may retry after a timeout without enrolling anyone twice).
 */
@Entity('enrolment_requests')
@Index('enrolment_requests_key_uq', ['callerOrganisationId', 'idempotencyKey'], { unique: true })
export class EnrolmentRequestEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'caller_organisation_id', type: 'uuid' })
  callerOrganisationId: string;

  @Column({ name: 'idempotency_key', type: 'text' })
  idempotencyKey: string;

  /** sha256 of the canonical request body: the same key with another body is refused. */
  @Column({ name: 'request_hash', type: 'text' })
  requestHash: string;

  @Column({ type: 'jsonb' })
  outcomes: unknown[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
