import { appendFileSync } from 'node:fs';
import { Server } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * Preloaded into the API by `npm run bench:profile -- --timeline` (`node --require`), never by the
 * API itself: for each GraphQL request, when each database statement was sent and answered, and
 * when the response finished, in milliseconds from the request's arrival — one JSON line per
 * request appended to PAGE_TIMELINE_FILE. bench/profile.ts reads them back (docs/benchmarks.md,
 * "Profiling a page"). It wraps node-postgres's `Client.prototype.query` (the API's copy, found
 * from the API's entry point) and the HTTP server's `request` event; one request at a time, as the
 * profile sends them.
 */
const file = process.env.PAGE_TIMELINE_FILE;
if (file) {
  const fromApi = createRequire(join(process.cwd(), 'package.json'));
  const pg = fromApi('pg') as { Client: { prototype: { query: (...args: unknown[]) => unknown } } };
  let start = 0;
  let steps: { sql: string; sent: number; answered: number }[] = [];
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: unknown, ...args: unknown[]) {
    const config = args[0] as string | { text?: string } | undefined;
    const text = typeof config === 'string' ? config : config?.text;
    const result = query.apply(this, args);
    if (start > 0 && text && result && typeof (result as Promise<unknown>).then === 'function') {
      const step = { sql: text.replace(/\s+/g, ' ').slice(0, 4000), sent: performance.now() - start, answered: NaN };
      steps.push(step);
      (result as Promise<unknown>).then(
        () => (step.answered = performance.now() - start),
        () => (step.answered = performance.now() - start),
      );
    }
    return result;
  };
  const emit = Server.prototype.emit;
  Server.prototype.emit = function (this: Server, event: string, ...args: unknown[]) {
    if (event === 'request') {
      const [req, res] = args as [{ url?: string }, { once: (e: string, f: () => void) => void }];
      if (req.url?.startsWith('/graphql')) {
        start = performance.now();
        steps = [];
        const mine = steps;
        res.once('finish', () => {
          appendFileSync(file, `${JSON.stringify({ steps: mine, finished: performance.now() - start })}\n`);
          start = 0;
        });
      }
    }
    return (emit as (this: Server, ...a: unknown[]) => boolean).call(this, event, ...args);
  } as typeof Server.prototype.emit;
}
