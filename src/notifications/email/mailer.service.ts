import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import { ROOT_LOGGER_TOKEN } from '../../common/logging/root-logger.token';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Stable per set of notifications: a retry of the same message carries the same id. */
  messageId: string;
  headers: Record<string, string>;
}

/**
 * Email over SMTP (nodemailer). With no SMTP_URL configured — local use — messages are written
 * as .eml files to `<DATA_DIR>/outbox/`, and startup says so.
 */
@Injectable()
export class MailerService implements OnModuleInit {
  private transport: Transporter;
  private sinkDir?: string;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER_TOKEN) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    const { smtpUrl } = this.config.notifications;
    if (smtpUrl) {
      // A pool reuses SMTP connections across messages (a new TCP + SMTP handshake per message
      // caps a worker at a few hundred messages per second).
      // Timeouts well below the job expiry: a stalled SMTP server fails the attempt (and the job is
      // retried) before pg-boss hands the job to another worker.
      this.transport = nodemailer.createTransport(
        // A connection per delivery lane: a lane's send never waits in the pool's queue (a delivery
        // round's time budget counts on it, docs/ledger-and-notifications.md).
        {
          url: smtpUrl,
          pool: true,
          maxConnections: this.config.notifications.deliveryLanes,
          maxMessages: 1000,
          connectionTimeout: 10_000,
          greetingTimeout: 10_000,
          socketTimeout: 30_000,
        } as never,
        { from: this.config.notifications.mailFrom },
      );
      return;
    }
    this.sinkDir = join(this.config.dataDir, 'outbox');
    mkdirSync(this.sinkDir, { recursive: true });
    this.transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    this.logger.warn({ dir: this.sinkDir }, 'SMTP_URL not set: learner emails are written as .eml files to the local outbox');
  }

  async send(mail: OutgoingMail): Promise<void> {
    const info = (await this.transport.sendMail({
      from: this.config.notifications.mailFrom,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: mail.messageId,
      headers: mail.headers,
    })) as { message?: Buffer };
    if (this.sinkDir && info.message) {
      writeFileSync(join(this.sinkDir, `${mail.messageId.replace(/[<>@]/g, '_')}.eml`), info.message);
    }
  }
}
