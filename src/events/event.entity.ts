import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { DisclosureCategory } from '../common/disclosure-category';
import type { AccessEndedReason, EventType } from './event-types';

/**
 * One event for one recipient (docs/events.md): thin — ids, categories and a time, never a gated
 * value. The feed reads it in `position` order, which is commit order: every writer inserts
 * under one transaction lock (events-writer.ts). Kept 30 days.
 */
@Entity('events')
@Index('events_recipient_idx', ['recipientId', 'position'])
@Index('events_created_idx', ['createdAt'])
export class EventEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  position: string;

  /** Time-ordered (UUIDv7); the `webhook-id` of every delivery of it. */
  @Column({ type: 'uuid', unique: true })
  id: string;

  @Column({ name: 'recipient_id', type: 'uuid' })
  recipientId: string;

  @Column({ type: 'text' })
  type: EventType;

  @Column({ name: 'learner_id', type: 'uuid', nullable: true })
  learnerId: string | null;

  @Column({ name: 'enrolment_id', type: 'uuid', nullable: true })
  enrolmentId: string | null;

  @Column({ name: 'course_id', type: 'uuid', nullable: true })
  courseId: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  categories: DisclosureCategory[];

  /** access.ended: the masked reason. */
  @Column({ type: 'text', nullable: true })
  reason: AccessEndedReason | null;

  /** webhook_endpoint.disabled: the endpoint. */
  @Column({ name: 'endpoint_id', type: 'uuid', nullable: true })
  endpointId: string | null;

  /** When the change happened (committed); `createdAt` is when the event was emitted. */
  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
