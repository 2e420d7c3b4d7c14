import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  notificationIds: string[];
  disclosureIds: string[];
  raw: string;
}

/**
 * A real SMTP server in the test process (smtp-server). `hold` lets a test keep the next
 * deliveries waiting (to kill a worker mid-delivery); `failNext` makes them fail with a 451.
 */
export class SmtpSink {
  readonly received: ReceivedMail[] = [];
  failNext = 0;
  hold: Promise<void> | null = null;
  private server: SMTPServer;
  port = 0;

  async start(): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      // No DNS on loopback tests: a reverse lookup per connection would only wait for a timeout.
      disableReverseLookup: true,
      logger: false,
      onData: (stream, _session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          void (async () => {
            if (this.hold) await this.hold;
            if (this.failNext > 0) {
              this.failNext--;
              const err = new Error('try again later') as Error & { responseCode: number };
              err.responseCode = 451;
              return callback(err);
            }
            const raw = Buffer.concat(chunks).toString('utf8');
            const mail = await simpleParser(raw);
            const header = (name: string) => {
              const v = mail.headers.get(name);
              return typeof v === 'string' ? v : '';
            };
            this.received.push({
              to: mail.to ? (Array.isArray(mail.to) ? mail.to[0].text : mail.to.text) : '',
              subject: mail.subject ?? '',
              text: mail.text ?? '',
              html: typeof mail.html === 'string' ? mail.html : '',
              messageId: mail.messageId ?? '',
              notificationIds: header('x-notification-ids').split(',').filter(Boolean),
              disclosureIds: header('x-disclosure-ids').split(',').filter(Boolean),
              raw,
            });
            callback();
          })();
        });
      },
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async waitFor(predicate: (mails: ReceivedMail[]) => boolean, timeoutMs = 20_000): Promise<ReceivedMail[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.received)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for mail; received ${this.received.length}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return this.received;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
