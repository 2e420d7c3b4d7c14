import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { DataSource, IsNull, type Repository } from 'typeorm';
import { SigningKeyEntity } from './signing-key.entity';

/** Our own tokens are ES256 (ECDSA P-256): asymmetric, so verifiers never hold a signing secret. */
export const OWN_TOKEN_ALGORITHM = 'ES256';
const RELOAD_MIN_INTERVAL_MS = 5_000;
const REFRESH_MS = 60_000;
const KEYGEN_LOCK = 0x5254_4b45; // pg advisory lock id: one process generates the first key

interface LoadedKey {
  kid: string;
  privateKeyPem: string;
  publicKey: KeyObject;
  publicJwk: Record<string, unknown>;
  createdAt: Date;
}

@Injectable()
export class SigningKeyService implements OnModuleInit, OnModuleDestroy {
  private keys = new Map<string, LoadedKey>();
  private lastLoad = 0;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private timer?: NodeJS.Timeout;

  async onModuleInit(): Promise<void> {
    await this.ensureKey();
    await this.reload();
    // Rotation and retirement done by another process reach this one within a minute.
    this.timer = setInterval(() => void this.reload().catch(() => undefined), REFRESH_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** The newest active key signs. */
  signingKey(): LoadedKey {
    const newest = [...this.keys.values()].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
    if (!newest) throw new Error('No signing key loaded');
    return newest;
  }

  /**
   * The public key for a `kid`. A kid we do not know may have been added by another process
   * (rotation), so we re-read the table, at most once per few seconds so unknown kids cannot be
   * used to hammer the database.
   */
  async verificationKey(kid: string | undefined): Promise<KeyObject | undefined> {
    if (!kid) return undefined;
    const known = this.keys.get(kid);
    if (known) return known.publicKey;
    if (Date.now() - this.lastLoad >= RELOAD_MIN_INTERVAL_MS) await this.reload();
    return this.keys.get(kid)?.publicKey;
  }

  jwks(): { keys: Record<string, unknown>[] } {
    return { keys: [...this.keys.values()].map((k) => ({ ...k.publicJwk, kid: k.kid, alg: OWN_TOKEN_ALGORITHM, use: 'sig' })) };
  }

  /** Adds a new key, which signs from now on; older keys keep verifying until retired. */
  async rotate(): Promise<string> {
    const kid = await this.insertNewKey(this.dataSource.getRepository(SigningKeyEntity));
    await this.reload();
    return kid;
  }

  async retire(kid: string): Promise<void> {
    await this.dataSource.getRepository(SigningKeyEntity).update({ kid, retiredAt: IsNull() }, { retiredAt: new Date() });
    await this.reload();
  }

  private async ensureKey(): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      await em.query('SELECT pg_advisory_xact_lock($1)', [KEYGEN_LOCK]);
      const active = await em.getRepository(SigningKeyEntity).countBy({ retiredAt: IsNull() });
      if (active === 0) await this.insertNewKey(em.getRepository(SigningKeyEntity));
    });
  }

  private async insertNewKey(repo: Repository<SigningKeyEntity>): Promise<string> {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const kid = randomBytes(12).toString('base64url');
    await repo.insert({
      kid,
      algorithm: OWN_TOKEN_ALGORITHM,
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      publicJwk: publicKey.export({ format: 'jwk' }) as never,
      retiredAt: null,
    });
    return kid;
  }

  private async reload(): Promise<void> {
    this.lastLoad = Date.now();
    const rows = await this.dataSource.getRepository(SigningKeyEntity).findBy({ retiredAt: IsNull() });
    this.keys = new Map(
      rows.map((r) => [
        r.kid,
        {
          kid: r.kid,
          privateKeyPem: r.privateKeyPem,
          publicKey: createPublicKey({ key: r.publicJwk as never, format: 'jwk' }),
          publicJwk: r.publicJwk,
          createdAt: r.createdAt,
        },
      ]),
    );
  }
}
