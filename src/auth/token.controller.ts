import { Body, Controller, Get, Header, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiClientService } from './api-client.service';
import { Public } from './auth.decorators';
import { SigningKeyService } from './signing-key.service';
import { TokenService } from './token.service';
import { TokenThrottle } from './token-throttle.service';

interface TokenRequestBody {
  grant_type?: unknown;
  client_id?: unknown;
  client_secret?: unknown;
}

/**
 * OAuth 2.0 client credentials (RFC 6749 §4.4) for HR portals, brokers and the learning platform,
 * and the public key set (JWKS) that verifies the tokens.
 */
@Controller()
export class TokenController {
  constructor(
    private readonly clients: ApiClientService,
    private readonly tokens: TokenService,
    private readonly keys: SigningKeyService,
    private readonly throttle: TokenThrottle,
  ) {}

  @Public()
  @Post('oauth/token')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async token(@Req() req: Request, @Body() body: TokenRequestBody | undefined, @Res() res: Response): Promise<void> {
    const form = body ?? {};
    if (form.grant_type !== 'client_credentials') {
      const error = form.grant_type === undefined ? 'invalid_request' : 'unsupported_grant_type';
      res.status(400).json({ error, error_description: 'grant_type must be client_credentials' });
      return;
    }
    const credentials = basicCredentials(req) ?? {
      clientId: typeof form.client_id === 'string' ? form.client_id : undefined,
      secret: typeof form.client_secret === 'string' ? form.client_secret : undefined,
    };
    if (!credentials.clientId || !credentials.secret) {
      res.status(400).json({ error: 'invalid_request', error_description: 'client_id and client_secret are required' });
      return;
    }
    const address = req.ip ?? 'unknown';
    const locked = await this.throttle.lockedFor(credentials.clientId, address);
    if (locked) {
      const why = locked.reason === 'locked' ? 'too many failed attempts' : 'failed attempts: slow down';
      res
        .status(429)
        .set('Retry-After', String(locked.seconds))
        .json({ error: 'invalid_request', error_description: `${why}: retry after ${locked.seconds} s` });
      return;
    }
    const auth = await this.clients.authenticate(credentials.clientId, credentials.secret);
    if (!auth) {
      await this.throttle.failed(credentials.clientId, address);
      res
        .status(401)
        .set('WWW-Authenticate', 'Basic realm="oauth"')
        .json({ error: 'invalid_client', error_description: 'unknown client, wrong secret or revoked client' });
      return;
    }
    await this.throttle.succeeded(credentials.clientId, address);
    const issued = this.tokens.issue({
      sub: auth.client.id,
      kind: auth.kind,
      org: auth.client.organisationId,
      client_id: auth.client.clientId,
    });
    res.json({ access_token: issued.accessToken, token_type: 'Bearer', expires_in: issued.expiresIn });
  }

  @Public()
  @Get('.well-known/jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  jwks(): { keys: Record<string, unknown>[] } {
    return this.keys.jwks();
  }
}

function basicCredentials(req: Request): { clientId?: string; secret?: string } | undefined {
  const header = req.headers.authorization;
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return {};
  // RFC 6749 §2.3.1: both parts are form-urlencoded inside the Basic header.
  return { clientId: safeDecode(decoded.slice(0, colon)), secret: safeDecode(decoded.slice(colon + 1)) };
}

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}
