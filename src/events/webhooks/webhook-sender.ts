import http from 'node:http';
import https from 'node:https';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';

export interface SendResult {
  ok: boolean;
  /** The HTTP status, or null when none came (timeout, refused, blocked address). */
  status: number | null;
  error: string | null;
}

/** Of a receiver's answer only this much is kept, for its owner to read. */
const MAX_ERROR_BODY = 500;

/**
 * Posts one signed delivery. Never follows a redirect (a 3xx is a failed attempt: an endpoint
 * that moved must be updated by its owner, and a redirect must not steer the API elsewhere). The
 * whole attempt — connect, send, answer — has one deadline. Unless private targets are allowed
 * (development), the agents refuse to connect to private, loopback, link-local and reserved
 * addresses at connect time, after DNS resolution: a name that resolves to one is refused too,
 * whatever it resolved to when the endpoint was saved (DNS rebinding).
 */
export class WebhookSender {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(
    private readonly opts: {
      timeoutSeconds: number;
      allowPrivateTargets: boolean;
      maxSockets: number;
    },
  ) {
    const agentOpts = { keepAlive: true, maxSockets: opts.maxSockets };
    this.httpAgent = opts.allowPrivateTargets
      ? new http.Agent(agentOpts)
      : new RequestFilteringHttpAgent(agentOpts);
    this.httpsAgent = opts.allowPrivateTargets
      ? new https.Agent(agentOpts)
      : new RequestFilteringHttpsAgent(agentOpts);
  }

  send(url: string, headers: Record<string, string>, body: string): Promise<SendResult> {
    return new Promise((resolve) => {
      let settled = false;
      // Assigned once the request exists; read by `done`, which may run before that (a refused URL).
      // eslint-disable-next-line prefer-const
      let timer: NodeJS.Timeout | undefined;
      const done = (r: SendResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(r);
      };
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        return done({ ok: false, status: null, error: 'invalid URL' });
      }
      const secure = target.protocol === 'https:';
      let req: http.ClientRequest;
      try {
        req = (secure ? https : http).request(target, {
          method: 'POST',
          agent: secure ? this.httpsAgent : this.httpAgent,
          headers: {
            ...headers,
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(body)),
            'user-agent': 'results-sharing-api-webhooks/1',
          },
        });
      } catch (e) {
        // The address filter may refuse synchronously (a literal address): a failed attempt, never a throw.
        return done({ ok: false, status: null, error: (e instanceof Error ? e.message : String(e)).slice(0, MAX_ERROR_BODY) });
      }
      timer = setTimeout(() => {
        req.destroy(new Error(`no answer within ${this.opts.timeoutSeconds} s`));
      }, this.opts.timeoutSeconds * 1000);
      req.on('error', (e) =>
        done({ ok: false, status: null, error: e.message.slice(0, MAX_ERROR_BODY) }),
      );
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < MAX_ERROR_BODY) chunks.push(c);
          size += c.length;
        });
        res.on('error', (e) => done({ ok: false, status, error: e.message }));
        res.on('end', () => {
          const ok = status >= 200 && status < 300;
          const text = Buffer.concat(chunks).toString('utf8').slice(0, MAX_ERROR_BODY);
          const error = ok
            ? null
            : status >= 300 && status < 400
              ? `redirect to ${res.headers.location ?? '?'} not followed`
              : `HTTP ${status}${text ? `: ${text}` : ''}`;
          done({ ok, status, error });
        });
      });
      req.end(body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
