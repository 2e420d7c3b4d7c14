import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { ORGANISATION_KINDS, type OrganisationKind } from './organisation-kind';

@Entity('organisations')
export class OrganisationEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'enum', enum: ORGANISATION_KINDS, enumName: 'organisation_kind' })
  kind: OrganisationKind;

  @Column({ type: 'text' })
  name: string;

  /** Dutch chamber-of-commerce (KvK) number, 8 digits. */
  @Column({ name: 'chamber_of_commerce_number', type: 'text', nullable: true, unique: true })
  chamberOfCommerceNumber: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
