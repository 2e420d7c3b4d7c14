import type { ChildProcess } from 'node:child_process';

/** Polls `probe` every 100 ms until it says yes; fails if the process exits or 30 s pass. */
export async function waitUntilUp(proc: ChildProcess, name: string, probe: () => Promise<Response>): Promise<ChildProcess> {
  for (let i = 0; i < 300 && proc.exitCode === null; i++) {
    try {
      if ((await probe()).ok) return proc;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} did not start`);
}
