import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { EventType } from '../event-types';

/**
 * A recipient's webhook endpoint (docs/events.md, "Subscribing"). The signing secrets are kept as
 * given (Standard Webhooks signs with the secret itself, so it cannot be hashed); during a
 * rotation the previous one signs too until `previous_secret_until`.
 */
@Entity('webhook_endpoints')
@Index('webhook_endpoints_owner_idx', ['ownerId'])
export class WebhookEndpointEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  /** The organisation (employer or broker) whose events it receives. */
  @Column({ name: 'owner_id', type: 'uuid' })
  ownerId: string;

  @Column({ type: 'text' })
  url: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ name: 'event_types', type: 'text', array: true })
  eventTypes: EventType[];

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @Column({ name: 'disabled_reason', type: 'text', nullable: true })
  disabledReason: string | null;

  @Column({ name: 'max_in_flight', type: 'smallint' })
  maxInFlight: number;

  @Column({ type: 'text' })
  secret: string;

  @Column({ name: 'previous_secret', type: 'text', nullable: true })
  previousSecret: string | null;

  @Column({ name: 'previous_secret_until', type: 'timestamptz', nullable: true })
  previousSecretUntil: Date | null;

  /** Failed attempts since the last success: at WEBHOOK_DISABLE_AFTER_FAILURES the endpoint is disabled. */
  @Column({ name: 'consecutive_failures', type: 'integer', default: 0 })
  consecutiveFailures: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
