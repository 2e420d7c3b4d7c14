import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Public } from '../../auth/auth.decorators';
import { isUuid } from '../../common/uuid';
import { DownloadLinks } from './download-links';
import { EXPORT_FORMATS, ExportService, type ExportFormat } from './export.service';

const TYPES: Record<ExportFormat, string> = { json: 'application/json; charset=utf-8', pdf: 'application/pdf' };

/**
 * `GET /exports/:id/:format?token=…`: the file of a ready export, streamed from the database a
 * chunk at a time. The link's signature is the authentication (src/rights/export/download-links.ts);
 * an expired link, an expired export or someone else's export is a clear error and nothing else.
 */
@Controller('exports')
export class ExportDownloadController {
  constructor(
    private readonly links: DownloadLinks,
    private readonly exports: ExportService,
  ) {}

  @Public()
  @Get(':id/:format')
  async download(@Param('id') id: string, @Param('format') format: string, @Query('token') token: unknown, @Res() res: Response): Promise<void> {
    res.set('Cache-Control', 'no-store');
    if (!isUuid(id) || !(EXPORT_FORMATS as readonly string[]).includes(format)) {
      res.status(404).json({ error: 'not_found', error_description: 'no such export' });
      return;
    }
    if (typeof token !== 'string' || token.length > 4096) {
      res.status(401).json({ error: 'invalid_link', error_description: 'the link has no valid token: ask for a new one' });
      return;
    }
    const link = await this.links.check(token, id, format);
    if (!link.ok) {
      const description = link.reason === 'expired' ? 'the link has expired: ask for a new one' : 'the link is not valid for this export';
      res.status(401).json({ error: link.reason === 'expired' ? 'link_expired' : 'invalid_link', error_description: description });
      return;
    }
    const file = await this.exports.get(id).catch(() => null);
    if (!file) {
      res.status(404).json({ error: 'not_found', error_description: 'no such export' });
      return;
    }
    if (file.status === 'EXPIRED' || (file.expiresAt !== null && file.expiresAt.getTime() <= Date.now())) {
      res.status(410).json({ error: 'export_expired', error_description: 'this export has expired and its files were deleted: ask for a new one' });
      return;
    }
    if (file.status !== 'READY') {
      res.status(409).json({ error: 'not_ready', error_description: `the export is ${file.status.toLowerCase()}` });
      return;
    }
    const f = format as ExportFormat;
    res.status(200);
    res.set('Content-Type', TYPES[f]);
    res.set('Content-Length', String(f === 'json' ? file.jsonBytes : file.pdfBytes));
    res.set('Content-Disposition', `attachment; filename="export-${id}.${f}"`);
    res.set('Digest', `sha-256=${Buffer.from((f === 'json' ? file.jsonSha256 : file.pdfSha256)!, 'hex').toString('base64')}`);
    // pipeline: backpressure, and a client that goes away ends the read instead of leaving it waiting.
    await pipeline(Readable.from(this.exports.chunks(id, f)), res).catch(() => res.destroy());
  }
}
