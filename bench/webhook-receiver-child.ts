import http from 'node:http';
import { Webhook } from 'standardwebhooks';

/**
 * The benchmark's webhook receiver, in a process of its own so it does not share the
 * dispatcher's event loop: verifies every delivery's signature (Standard Webhooks' reference
 * verification), notes when each webhook-id first arrived, answers 204. The parent reads
 * GET /stats (arrival time in ms since the epoch per id, and the count of bad signatures).
 */
const secret = process.env.WEBHOOK_SECRET!;
const verifier = new Webhook(secret);
const arrived = new Map<string, number>();
let bad = 0;
let requests = 0;
const server = http.createServer((req, res) => {
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ arrived: Object.fromEntries(arrived), bad, requests }));
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    requests++;
    const now = Date.now();
    try {
      verifier.verify(Buffer.concat(chunks), req.headers as Record<string, string>);
      const id = String(req.headers['webhook-id']);
      if (!arrived.has(id)) arrived.set(id, now);
    } catch {
      bad++;
    }
    res.writeHead(204);
    res.end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send!({ port: typeof address === 'object' && address ? address.port : 0 });
});
