import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * The API's own token signing keys. Kept in the database so every API process signs and verifies
 * with the same set; rotation adds a key (the newest signs) while older ones keep verifying until
 * they are retired and their tokens have expired.
 */
@Entity('signing_keys')
export class SigningKeyEntity {
  @PrimaryColumn({ type: 'text' })
  kid: string;

  @Column({ type: 'text' })
  algorithm: string;

  @Column({ name: 'private_key_pem', type: 'text' })
  privateKeyPem: string;

  @Column({ name: 'public_jwk', type: 'jsonb' })
  publicJwk: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** No longer published nor accepted after this instant. */
  @Column({ name: 'retired_at', type: 'timestamptz', nullable: true })
  retiredAt: Date | null;
}
