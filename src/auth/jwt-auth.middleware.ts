import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import passport from 'passport';
import type { Actor } from './actor';
import { TokenRejected } from './jwt.strategy';

/**
 * Verifies the bearer token (through passport-jwt, JwtStrategy) before GraphQL sees the request.
 * No Authorization header: the request goes on anonymously and only @Public() operations answer.
 * A header that is there but not a valid token: 401 at once, with the reason, never a 500.
 */
@Injectable()
export class JwtAuthMiddleware implements NestMiddleware {
  use(req: Request, res: Response, next: NextFunction): void {
    const header = req.headers.authorization;
    if (header === undefined) return next();
    if (!/^Bearer [A-Za-z0-9\-_=]+\.[A-Za-z0-9\-_=]*\.[A-Za-z0-9\-_.+/=]*$/.test(header)) {
      return unauthorized(res, 'Authorization header must be "Bearer <JWT>"');
    }
    const authenticate = passport.authenticate(
      'jwt',
      { session: false },
      (err: unknown, actor: Actor | false, info: unknown) => {
        if (err || !actor) return unauthorized(res, `Invalid token: ${reason(err ?? info)}`);
        req.user = actor;
        next();
      },
    ) as (req: Request, res: Response, next: NextFunction) => void;
    authenticate(req, res, next);
  }
}

const KNOWN_REASONS: [RegExp, string][] = [
  [/jwt expired/, 'token has expired'],
  [/jwt not active/, 'token is not yet valid (nbf)'],
  [/jwt audience invalid/, 'token audience is not accepted'],
  [/jwt issuer invalid/, 'token issuer is not accepted'],
  [/invalid signature/, 'signature does not verify'],
  [/jwt malformed|invalid token|jwt must be provided/, 'malformed token'],
  [/invalid algorithm/, 'algorithm is not accepted'],
];

function reason(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof TokenRejected) return message;
  for (const [pattern, text] of KNOWN_REASONS) if (pattern.test(message)) return text;
  // Anything else (a database outage while checking the client, a JWKS fetch failure) is not the
  // caller's fault, but the token could not be accepted: say so without internals.
  return 'token could not be verified';
}

function unauthorized(res: Response, message: string): void {
  res
    .status(401)
    .set('WWW-Authenticate', `Bearer error="invalid_token", error_description="${message.replace(/"/g, "'")}"`)
    .json({ errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] });
}
