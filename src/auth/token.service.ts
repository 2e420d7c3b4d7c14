import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type { AccessTokenClaims } from './actor';
import { OWN_TOKEN_ALGORITHM, SigningKeyService } from './signing-key.service';

export interface IssuedToken {
  accessToken: string;
  expiresIn: number;
}

/** Mints this API's access tokens: ES256, with iss, aud, iat, nbf, exp, jti and the key's kid. */
@Injectable()
export class TokenService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly keys: SigningKeyService,
  ) {}

  issue(claims: AccessTokenClaims, ttlSeconds = this.config.jwt.accessTokenTtlSeconds): IssuedToken {
    // Never mint what the API itself would refuse.
    if (ttlSeconds > this.config.jwt.maxLifetimeSeconds) throw new Error(`a token may live at most ${this.config.jwt.maxLifetimeSeconds} s (JWT_MAX_LIFETIME_SECONDS)`);
    const key = this.keys.signingKey();
    const { sub, ...rest } = claims;
    const accessToken = sign(rest, key.privateKeyPem, {
      algorithm: OWN_TOKEN_ALGORITHM,
      keyid: key.kid,
      issuer: this.config.jwt.issuer,
      audience: this.config.jwt.audience,
      subject: sub,
      expiresIn: ttlSeconds,
      notBefore: 0,
      jwtid: randomUUID(),
    });
    return { accessToken, expiresIn: ttlSeconds };
  }
}
