#!/usr/bin/env node
// A minimal HR-portal webhook receiver (docs/events.md, "A receiver to start from"):
//   - verifies every delivery with the Standard Webhooks reference library (`standardwebhooks`):
//     the HMAC over webhook-id, webhook-timestamp and the raw body, and a timestamp within 5 minutes;
//     anything that does not verify gets 401, a verified body that is not JSON 400;
//   - deduplicates on webhook-id (deliveries are at least once; a retry carries the same id);
//   - answers 204 at once and handles the event afterwards;
//   - logs each event, and for access.ended prints what the portal must delete.
//
// Usage:
//   WEBHOOK_SECRET=whsec_... PORT=4000 node scripts/webhook-receiver.mjs
// WEBHOOK_SECRET may list several secrets separated by spaces (during a rotation: the new one and
// the old one). WEBHOOK_PATH (default /hooks) is the path it answers on; HOST (default 127.0.0.1)
// the address it listens on.
//
// What a real portal does differently: the "seen" set and the work queue below live in memory and
// are lost on restart. Store the event (or at least its id) durably before answering 2xx — a 2xx
// ends the retries — and catch up from the `events` feed after any downtime.
import http from 'node:http';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

const secrets = (process.env.WEBHOOK_SECRET ?? '').split(/\s+/).filter(Boolean);
if (secrets.length === 0) {
  console.error('Set WEBHOOK_SECRET to the secret createWebhookEndpoint returned (whsec_...).');
  process.exit(2);
}
let verifiers;
try {
  verifiers = secrets.map((s) => new Webhook(s));
} catch (e) {
  console.error(`WEBHOOK_SECRET is not a valid signing secret: ${e.message}`);
  process.exit(2);
}
const port = Number(process.env.PORT ?? 4000);
const host = process.env.HOST ?? '127.0.0.1';
const path = process.env.WEBHOOK_PATH ?? '/hooks';
const MAX_BODY_BYTES = 64 * 1024; // an event is well under 1 kB
const SEEN_FOR_MS = 24 * 3600 * 1000; // longer than the retries of one delivery last

/** webhook-id → when first accepted. */
const seen = new Map();
/** Accepted events, handled after the 204. */
const queue = [];

function verify(body, headers) {
  const h = {
    'webhook-id': headers['webhook-id'] ?? '',
    'webhook-timestamp': headers['webhook-timestamp'] ?? '',
    'webhook-signature': headers['webhook-signature'] ?? '',
  };
  let problem = 'no signature';
  for (const v of verifiers) {
    try {
      v.verify(body, h, { jsonParse: false });
      return null;
    } catch (e) {
      if (!(e instanceof WebhookVerificationError)) throw e;
      problem = e.message; // "No matching signature found", "Message timestamp too old", …
    }
  }
  return problem;
}

function answer(res, status, text) {
  res.writeHead(status, text ? { 'content-type': 'text/plain' } : {});
  res.end(text);
}

const server = http.createServer((req, res) => {
  if (req.method !== 'POST') return answer(res, 405, 'POST only\n');
  if (new URL(req.url, 'http://receiver').pathname !== path) return answer(res, 404, 'not here\n');
  const chunks = [];
  let size = 0;
  req.on('data', (c) => {
    size += c.length;
    if (size <= MAX_BODY_BYTES) chunks.push(c);
  });
  req.on('end', () => {
    if (size > MAX_BODY_BYTES) return answer(res, 413, 'too large\n');
    // Verify the raw bytes exactly as received: re-serialised JSON would not match the signature.
    const body = Buffer.concat(chunks).toString('utf8');
    const problem = verify(body, req.headers);
    if (problem) {
      console.warn(`401 ${req.headers['webhook-id'] ?? '(no webhook-id)'}: ${problem}`);
      return answer(res, 401, 'invalid signature\n');
    }
    let event;
    try {
      event = JSON.parse(body);
    } catch {
      return answer(res, 400, 'body is not JSON\n');
    }
    const id = req.headers['webhook-id'];
    if (seen.has(id)) {
      console.log(`duplicate ${id} (already handled): 204`);
      return answer(res, 204);
    }
    seen.set(id, Date.now());
    queue.push(event);
    answer(res, 204);
    setImmediate(drain);
  });
});

function drain() {
  while (queue.length > 0) {
    const event = queue.shift();
    try {
      handle(event);
    } catch (e) {
      console.error(`could not handle ${event?.data?.id ?? 'an event'}: ${e.message}`);
    }
  }
}

function handle({ type, timestamp, data = {} }) {
  const cats = (data.categories ?? []).join(', ');
  console.log(
    `${timestamp} ${type} id=${data.id}` +
      (data.learnerId ? ` learner=${data.learnerId}` : '') +
      (data.enrolmentId ? ` enrolment=${data.enrolmentId}` : '') +
      (cats ? ` categories=[${cats}]` : '') +
      (data.reason ? ` reason=${data.reason}` : '') +
      ` occurredAt=${data.occurredAt}`,
  );
  switch (type) {
    case 'access.ended':
      // Not optional: the portal may no longer keep these (docs/events.md, "Access ended").
      console.log(
        `  MUST DELETE: ${cats} of enrolment ${data.enrolmentId} (course ${data.courseId}) of learner ${data.learnerId}; ` +
          `if nothing of learner ${data.learnerId} is left, delete the learner too. Reason: ${data.reason}`,
      );
      break;
    case 'webhook_endpoint.disabled':
      console.log(
        `  endpoint ${data.endpointId} was disabled after repeated failures: fix it, re-enable it ` +
          '(updateWebhookEndpoint, enabled: true) and catch up from the events feed',
      );
      break;
    default:
      // enrolment.*, assessment_result.recorded, certificate.issued: fetch the named categories of
      // this enrolment again through the API (a gated, ledgered read), e.g. with learner(id:).
      console.log(`  refetch: ${cats} of enrolment ${data.enrolmentId}`);
  }
}

// Forget ids older than any retry of theirs can be.
setInterval(() => {
  const before = Date.now() - SEEN_FOR_MS;
  for (const [id, at] of seen) if (at < before) seen.delete(id);
}, 60_000).unref();

server.listen(port, host, () => {
  console.log(`webhook receiver on http://${host}:${port}${path} (${verifiers.length} secret(s))`);
});
for (const signal of ['SIGINT', 'SIGTERM'])
  process.on(signal, () => server.close(() => process.exit(0)));
