import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  Unique,
} from 'typeorm';
import { EventEntity } from '../event.entity';
import { WebhookEndpointEntity } from './webhook-endpoint.entity';

export const DELIVERY_STATUSES = ['PENDING', 'SENDING', 'DELIVERED', 'FAILED'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * One event to one endpoint, until delivered or dead (FAILED: the dead letter, re-drivable by the
 * owner). The dispatcher (webhook-dispatcher.ts) claims due rows; SENDING holds a lease, so a
 * dispatcher that dies leaves it due again when the lease runs out.
 */
@Entity('webhook_deliveries')
@Unique('webhook_deliveries_once', ['endpointId', 'eventId'])
// The claim walks one endpoint's due deliveries in due order, its tiebreaker included (no sort),
// and counts those in flight, whose index holds only them (migrations/1796900000000-WebhookClaimIndexes.ts).
@Index('webhook_deliveries_due_idx', ['endpointId', 'nextAttemptAt', 'id'], {
  where: `"status" IN ('PENDING', 'SENDING')`,
})
@Index('webhook_deliveries_sending_idx', ['endpointId', 'leaseUntil'], {
  where: `"status" = 'SENDING'`,
})
@Index('webhook_deliveries_endpoint_idx', ['endpointId', 'status'])
@Index('webhook_deliveries_event_idx', ['eventId'])
export class WebhookDeliveryEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'endpoint_id', type: 'uuid' })
  endpointId: string;

  @ManyToOne(() => WebhookEndpointEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'endpoint_id' })
  endpoint?: WebhookEndpointEntity;

  @Column({ name: 'event_id', type: 'uuid' })
  eventId: string;

  @ManyToOne(() => EventEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'event_id', referencedColumnName: 'id' })
  event?: EventEntity;

  @Column({ type: 'text', default: 'PENDING' })
  status: DeliveryStatus;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt: Date;

  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil: Date | null;

  @Column({ name: 'last_attempt_at', type: 'timestamptz', nullable: true })
  lastAttemptAt: Date | null;

  /** The HTTP status of the last attempt (null: no answer — timeout, refused, blocked). */
  @Column({ name: 'last_status', type: 'integer', nullable: true })
  lastStatus: number | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
