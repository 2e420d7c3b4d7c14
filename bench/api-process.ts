import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { waitUntilUp } from './wait-until-up';

/**
 * The API as its own process, as in production (workers off: the worker is measured on its own),
 * for the benchmark's phases and the page profile. `issuerPort` names the token issuer, so that
 * several processes on one database accept the same tokens; `nodeArgs` go to Node itself (V8's
 * profiling flags).
 */
export async function startApi(
  dbUrl: string,
  port: number,
  opts: { env?: Record<string, string>; issuerPort?: number; nodeArgs?: string[]; stdio?: 'inherit' | 'pipe' } = {},
): Promise<ChildProcess> {
  const api = spawn(process.execPath, [...(opts.nodeArgs ?? []), join(__dirname, '..', 'src', 'main.js')], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: dbUrl,
      PORT: String(port),
      JWT_ISSUER: `http://127.0.0.1:${opts.issuerPort ?? port}`,
      LOG_LEVEL: 'error',
      WORKERS_IN_PROCESS: 'false',
      SEED_DEMO: 'false',
      // The budget statement runs (its cost is part of the page) but the load phases are not
      // throttled: they measure speed, not the per-client limit (docs/api-limits.md).
      GRAPHQL_COST_REFILL_PER_SECOND: process.env.GRAPHQL_COST_REFILL_PER_SECOND ?? '100000000',
      ...opts.env,
    },
    stdio: ['ignore', opts.stdio ?? 'inherit', 'inherit'],
  });
  return waitUntilUp(api, 'API', () => fetch(`http://127.0.0.1:${port}/health/ready`));
}

export async function stopApi(api: ChildProcess): Promise<void> {
  if (api.exitCode !== null) return;
  api.kill('SIGTERM');
  await new Promise((r) => api.once('exit', r));
}
