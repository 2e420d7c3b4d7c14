import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { InjectDataSource } from '@nestjs/typeorm';
import { isUuid } from '../common/uuid';
import { CONTROL_CONNECTION } from '../common/database/control-connection';
import type { Request } from 'express';
import { decode, type JwtPayload } from 'jsonwebtoken';
import { JwksClient } from 'jwks-rsa';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { LearnerEntity } from '../learners/learner.entity';
import { ACTOR_KINDS, type Actor, type ActorKind } from './actor';
import { ApiClientEntity } from './api-client.entity';
import { OWN_TOKEN_ALGORITHM, SigningKeyService } from './signing-key.service';

/**
 * Pinned, asymmetric only. `none` and every HMAC algorithm are refused before any key is looked
 * up, so an HS256 token "signed" with our public key cannot pass.
 */
export const ACCEPTED_ALGORITHMS = [OWN_TOKEN_ALGORITHM, 'ES384', 'RS256', 'PS256'] as const;

/** A token that was well signed but does not stand for a caller we know. */
export class TokenRejected extends Error {
  override name = 'TokenRejected';
}

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource(CONTROL_CONNECTION) private readonly dataSource: DataSource,
    keys: SigningKeyService,
  ) {
    const idp = config.learnerIdp;
    const idpKeys = idp
      ? new JwksClient({ jwksUri: idp.jwksUri, cache: true, cacheMaxAge: 10 * 60_000, rateLimit: true, jwksRequestsPerMinute: 10, timeout: 5_000 })
      : undefined;
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      passReqToCallback: true,
      algorithms: [...ACCEPTED_ALGORITHMS],
      issuer: idp ? [config.jwt.issuer, idp.issuer] : config.jwt.issuer,
      audience: idp ? [config.jwt.audience, idp.audience] : config.jwt.audience,
      jsonWebTokenOptions: { clockTolerance: config.jwt.clockToleranceSeconds },
      // The key is chosen by issuer first, then by kid inside that issuer's key set: a key of the
      // learning platform can never verify a token that claims to be ours, and vice versa.
      secretOrKeyProvider: (_req: Request, rawJwt: string, done: (err: Error | null, key?: string | Buffer) => void) => {
        const decoded = decode(rawJwt, { complete: true });
        if (!decoded || typeof decoded.payload === 'string') return done(new TokenRejected('malformed token'));
        const { alg, kid } = decoded.header;
        if (!(ACCEPTED_ALGORITHMS as readonly string[]).includes(alg)) {
          return done(new TokenRejected(`algorithm ${alg} is not accepted (accepted: ${ACCEPTED_ALGORITHMS.join(', ')})`));
        }
        const iss = decoded.payload.iss;
        if (iss === config.jwt.issuer) {
          if (alg !== OWN_TOKEN_ALGORITHM) return done(new TokenRejected(`algorithm ${alg} is not accepted for this issuer`));
          keys.verificationKey(kid).then(
            (key) => (key ? done(null, key.export({ type: 'spki', format: 'pem' })) : done(new TokenRejected('unknown signing key (kid)'))),
            (e: Error) => done(e),
          );
          return;
        }
        if (idp && idpKeys && iss === idp.issuer) {
          if (!kid) return done(new TokenRejected('token has no kid'));
          idpKeys.getSigningKey(kid).then(
            (key) => done(null, key.getPublicKey()),
            () => done(new TokenRejected('unknown signing key (kid)')),
          );
          return;
        }
        return done(new TokenRejected('token issuer is not accepted'));
      },
    });
  }

  async validate(_req: Request, payload: JwtPayload): Promise<Actor> {
    // A bearer token without an expiry, or one that lives for years, is a credential that can
    // never be taken back once it leaks (RFC 8725 §3.10): refused, ours and the IdP's alike.
    const max = this.config.jwt.maxLifetimeSeconds;
    if (typeof payload.exp !== 'number') throw new TokenRejected('token has no expiry (exp)');
    const now = Math.floor(Date.now() / 1000);
    const issuedAt = typeof payload.iat === 'number' ? payload.iat : now;
    if (payload.exp - issuedAt > max || payload.exp - now > max) throw new TokenRejected(`token lives longer than the maximum of ${max} s`);
    const sub = payload.sub;
    if (typeof sub !== 'string' || sub === '') throw new TokenRejected('token has no subject');
    if (this.config.learnerIdp && payload.iss === this.config.learnerIdp.issuer) {
      // The learning platform vouches for learners only; whatever else its token claims is ignored.
      const learner = await this.dataSource.getRepository(LearnerEntity).findOne({ where: { externalSubjectId: sub }, select: { id: true } });
      if (!learner) throw new TokenRejected('no learner is linked to this subject');
      return { kind: 'LEARNER', subject: sub, learnerId: learner.id };
    }
    const kind = payload.kind as ActorKind;
    if (!ACTOR_KINDS.includes(kind)) throw new TokenRejected('token has no valid actor kind');
    const org = typeof payload.org === 'string' ? payload.org : undefined;
    const clientId = typeof payload.client_id === 'string' ? payload.client_id : undefined;
    switch (kind) {
      case 'LEARNER': {
        // An erased learner's token resolves to nobody (docs/retention.md), like an unknown one.
        const [learner] = isUuid(sub) ? await this.dataSource.query<{ erased: boolean }[]>(`SELECT erased_at IS NOT NULL AS erased FROM learners WHERE id = $1`, [sub]) : [];
        if (learner?.erased) throw new TokenRejected('no learner is linked to this subject');
        return { kind, subject: sub, learnerId: sub };
      }
      case 'PROVIDER_STAFF':
        if (!org) throw new TokenRejected('token has no organisation');
        if (clientId) await this.assertClientActive(clientId, org);
        return { kind, subject: sub, organisationId: org, apiClientId: clientId };
      case 'EMPLOYER_CLIENT':
      case 'BROKER_CLIENT':
        if (!org || !clientId) throw new TokenRejected('token has no organisation or client');
        await this.assertClientActive(clientId, org);
        return { kind, subject: sub, organisationId: org, apiClientId: clientId };
    }
  }

  /** Revoking a client stops its tokens at once, not only when they expire. */
  private async assertClientActive(clientId: string, organisationId: string): Promise<void> {
    const client = await this.dataSource
      .getRepository(ApiClientEntity)
      .findOne({ where: { clientId, organisationId }, select: { id: true, revokedAt: true } });
    if (!client || client.revokedAt) throw new TokenRejected('API client is revoked or unknown');
  }
}

