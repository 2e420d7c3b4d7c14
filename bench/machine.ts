import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

/**
 * What the machine was doing beside the benchmark (Linux /proc). These machines are shared: a
 * figure means little without the load it was measured under (docs/benchmarks.md).
 */

export interface LoadAverage {
  /** /proc/loadavg as read */
  raw: string;
  one: number;
  five: number;
  fifteen: number;
  at: string;
}

export function loadAverage(): LoadAverage | null {
  try {
    const raw = readFileSync('/proc/loadavg', 'utf8').trim();
    const [one, five, fifteen] = raw.split(/\s+/).map(Number);
    return { raw, one, five, fifteen, at: new Date().toISOString() };
  } catch {
    return null; // not Linux
  }
}

export function machine() {
  return { cpus: cpus().length, cpuModel: cpus()[0]?.model, memGb: Math.round(totalmem() / 2 ** 30), node: process.version };
}

let clockTicks: number | undefined;
export function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime + cutime + cstime: the process's own CPU and that of the children it reaped */
  ticks: number;
}

function procStat(pid: number): ProcStat | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid … utime stime cutime cstime …": comm may hold spaces, so split after ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) };
  } catch {
    return null; // gone
  }
}

/**
 * CPU seconds used so far by a process and every descendant: live ones directly, exited ones
 * through the parent that reaped them. For PostgreSQL, the postmaster's tree is the server: its
 * backends, and those that ended. Null if the process is not there.
 */
export function treeCpuSeconds(rootPid: number): number | null {
  const all = new Map<number, ProcStat>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = procStat(Number(name));
    if (s) all.set(s.pid, s);
  }
  if (!all.has(rootPid)) return null;
  const children = new Map<number, number[]>();
  for (const s of all.values()) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s.pid]);
  let ticks = 0;
  const todo = [rootPid];
  while (todo.length) {
    const pid = todo.pop()!;
    ticks += all.get(pid)?.ticks ?? 0;
    todo.push(...(children.get(pid) ?? []));
  }
  return ticks / ticksPerSecond();
}

/** Starts counting the CPU of some process trees; `stop()` gives each one's CPU seconds since (null: not measured). */
export function cpuMeter(pids: Record<string, number | null | undefined>) {
  const start = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, pid ? treeCpuSeconds(pid) : null]));
  return {
    stop(): Record<string, number | null> {
      return Object.fromEntries(
        Object.entries(pids).map(([k, pid]) => {
          const end = pid ? treeCpuSeconds(pid) : null;
          return [k, end === null || start[k] === null ? null : Math.round((end - start[k]) * 100) / 100];
        }),
      );
    },
  };
}
