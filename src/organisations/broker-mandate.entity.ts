import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { DISCLOSURE_CATEGORIES, type DisclosureCategory } from '../common/disclosure-category';
import { MANDATE_PERMISSIONS, type MandatePermission } from './mandate-permission';
import { OrganisationEntity } from './organisation.entity';

/** A broker acting for an employer: enrol its employees and/or read what the employer may read. */
@Entity('broker_mandates')
@Index('broker_mandates_broker_employer_idx', ['brokerId', 'employerId'])
@Check('broker_mandates_validity_chk', '"valid_until" IS NULL OR "valid_until" > "valid_from"')
export class BrokerMandateEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'broker_id', type: 'uuid' })
  brokerId: string;

  @ManyToOne(() => OrganisationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'broker_id' })
  broker?: OrganisationEntity;

  @Column({ name: 'employer_id', type: 'uuid' })
  employerId: string;

  @ManyToOne(() => OrganisationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'employer_id' })
  employer?: OrganisationEntity;

  @Column({ name: 'valid_from', type: 'timestamptz' })
  validFrom: Date;

  @Column({ name: 'valid_until', type: 'timestamptz', nullable: true })
  validUntil: Date | null;

  @Column({ type: 'enum', enum: MANDATE_PERMISSIONS, enumName: 'mandate_permission', array: true })
  permissions: MandatePermission[];

  @Column({ type: 'enum', enum: DISCLOSURE_CATEGORIES, enumName: 'disclosure_category', array: true })
  categories: DisclosureCategory[];

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
