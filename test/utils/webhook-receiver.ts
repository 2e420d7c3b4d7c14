import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  payload: { type: string; timestamp: string; data: Record<string, unknown> };
  /** Which of the receiver's secrets verified it (Standard Webhooks' reference verification). */
  verifiedWith: string[];
}

/**
 * A real HTTP receiver on a loopback port. Every request is verified with the reference
 * implementation of Standard Webhooks (`standardwebhooks`' Webhook.verify) against each secret
 * the test gave it; `answer` decides the response (status, delay, a redirect, or hanging).
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  readonly attempts: { id: string; at: number }[] = [];
  secrets: string[] = [];
  answer: (attempt: { id: string; n: number }) => {
    status: number;
    delayMs?: number;
    location?: string;
    hang?: boolean;
  } = () => ({ status: 204 });
  inFlight = 0;
  maxInFlight = 0;
  private server: http.Server;
  private readonly hanging = new Set<http.ServerResponse>();
  port = 0;

  async start(port = 0): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const headers = {
          'webhook-id': String(req.headers['webhook-id']),
          'webhook-timestamp': String(req.headers['webhook-timestamp']),
          'webhook-signature': String(req.headers['webhook-signature']),
        };
        const verifiedWith = this.secrets.filter((s) => {
          try {
            new Webhook(s).verify(body, headers);
            return true;
          } catch {
            return false;
          }
        });
        const n = this.attempts.filter((a) => a.id === headers['webhook-id']).length + 1;
        this.attempts.push({ id: headers['webhook-id'], at: Date.now() });
        const a = this.answer({ id: headers['webhook-id'], n });
        this.inFlight++;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        const finish = () => {
          this.inFlight--;
          if (a.status >= 200 && a.status < 300) {
            this.received.push({
              id: headers['webhook-id'],
              timestamp: headers['webhook-timestamp'],
              signature: headers['webhook-signature'],
              body,
              payload: JSON.parse(body),
              verifiedWith,
            });
          }
          res.writeHead(a.status, a.location ? { location: a.location } : {});
          res.end(a.status >= 400 ? 'receiver says no' : '');
        };
        if (a.hang) {
          this.hanging.add(res);
          res.on('close', () => {
            this.hanging.delete(res);
            this.inFlight--;
          });
        } else if (a.delayMs) setTimeout(finish, a.delayMs);
        else finish();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  /** Distinct deliveries accepted (a retry of one already accepted counts once). */
  uniqueIds(): string[] {
    return [...new Set(this.received.map((r) => r.id))];
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
