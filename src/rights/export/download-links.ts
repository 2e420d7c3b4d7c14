import { Inject, Injectable } from '@nestjs/common';
import { decode, sign, verify, TokenExpiredError } from 'jsonwebtoken';
import { OWN_TOKEN_ALGORITHM, SigningKeyService } from '../../auth/signing-key.service';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import type { ExportFormat } from './export.service';

export type LinkCheck = { ok: true; exportId: string; format: ExportFormat; by: string } | { ok: false; reason: 'expired' | 'invalid' };

/**
 * Short-lived download links (docs/learner-rights.md, "Export"): a browser follows a link without
 * an Authorization header, so the link carries its own proof — signed with the API's ES256 key,
 * for one export and one format, for EXPORT_LINK_SECONDS. Its audience differs from the access
 * tokens', so a link is never an access token, nor the reverse.
 */
@Injectable()
export class DownloadLinks {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly keys: SigningKeyService,
  ) {}

  private get audience(): string {
    return `${this.config.jwt.audience}/export-download`;
  }

  url(exportId: string, format: ExportFormat, by: string): { url: string; expiresAt: Date } {
    const key = this.keys.signingKey();
    const ttl = this.config.rights.exportLinkSeconds;
    const token = sign({ fmt: format, by }, key.privateKeyPem, {
      algorithm: OWN_TOKEN_ALGORITHM,
      keyid: key.kid,
      issuer: this.config.jwt.issuer,
      audience: this.audience,
      subject: exportId,
      expiresIn: ttl,
    });
    const base = this.config.jwt.issuer.replace(/\/$/, '');
    return { url: `${base}/exports/${exportId}/${format}?token=${encodeURIComponent(token)}`, expiresAt: new Date(Date.now() + ttl * 1000) };
  }

  async check(token: string, exportId: string, format: string): Promise<LinkCheck> {
    const header = (decode(token, { complete: true }) as { header?: { kid?: string } } | null)?.header;
    const key = await this.keys.verificationKey(header?.kid);
    if (!key) return { ok: false, reason: 'invalid' };
    try {
      const claims = verify(token, key, { algorithms: [OWN_TOKEN_ALGORITHM], audience: this.audience, issuer: this.config.jwt.issuer, subject: exportId }) as {
        fmt?: string;
        by?: string;
      };
      if (claims.fmt !== format || typeof claims.by !== 'string') return { ok: false, reason: 'invalid' };
      return { ok: true, exportId, format: format as ExportFormat, by: claims.by };
    } catch (e) {
      return { ok: false, reason: e instanceof TokenExpiredError ? 'expired' : 'invalid' };
    }
  }
}
