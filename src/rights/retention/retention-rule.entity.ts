import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/** What a rule keeps (docs/retention.md). */
export const RECORD_KINDS = ['ENROLMENT_ADMINISTRATION', 'CERTIFICATE', 'LEDGER_ENTRY', 'LEARNER_REQUEST'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

/** The event a period is counted from. */
export const RETENTION_EVENTS = ['ENROLMENT_ENDED', 'CERTIFICATE_ISSUED', 'DISCLOSED', 'REQUEST_ANSWERED'] as const;
export type RetentionEvent = (typeof RETENTION_EVENTS)[number];

/** Which events a kind may be counted from: the only ones its rows carry. */
export const EVENTS_OF_KIND: Record<RecordKind, RetentionEvent[]> = {
  ENROLMENT_ADMINISTRATION: ['ENROLMENT_ENDED'],
  CERTIFICATE: ['CERTIFICATE_ISSUED'],
  LEDGER_ENTRY: ['DISCLOSED'],
  LEARNER_REQUEST: ['REQUEST_ANSWERED'],
};

/**
 * A retention rule as data (docs/retention.md): a kind of record is kept for a period, counted
 * from an event, on a legal ground. For certificates a rule may name an accreditation body (its
 * register's period); '' is the rule for every other body.
 */
@Entity('retention_rules')
@Check('retention_rules_period_chk', '"period_months" >= 0 AND "period_months" <= 1200')
export class RetentionRuleEntity {
  @PrimaryColumn({ name: 'record_kind', type: 'enum', enum: RECORD_KINDS, enumName: 'retention_record_kind' })
  recordKind: RecordKind;

  /** Certificates only: the accreditation body this period is for; '' for all others. */
  @PrimaryColumn({ name: 'accreditation_body', type: 'text', default: '' })
  accreditationBody: string;

  @Column({ name: 'legal_ground', type: 'text' })
  legalGround: string;

  @Column({ name: 'period_months', type: 'integer' })
  periodMonths: number;

  @Column({ name: 'counted_from', type: 'enum', enum: RETENTION_EVENTS, enumName: 'retention_event' })
  countedFrom: RetentionEvent;

  @Column({ name: 'updated_by', type: 'text' })
  updatedBy: string;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
