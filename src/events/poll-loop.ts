import type { Logger } from 'pino';

/**
 * Runs `step` again at once while it reports more work, else after `idleMs`; an error is logged
 * and retried after a pause, never thrown out of the loop. `stop()` waits for the running step.
 * For the events' background work, which must follow commits within a fraction of a second —
 * below the one-second granularity of pg-boss's polling.
 */
export class PollLoop {
  private running = false;
  private wake: (() => void) | null = null;
  /** Poked while a step ran: run again at once instead of sleeping. */
  private poked = false;
  private done: Promise<void> = Promise.resolve();

  constructor(
    private readonly name: string,
    private readonly idleMs: number,
    private readonly step: () => Promise<boolean>,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.done = this.loop();
  }

  /** There is work: run the next step now (or right after the running one). */
  poke(): void {
    this.poked = true;
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.done;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let more = false;
      let pause = this.idleMs;
      this.poked = false;
      try {
        more = await this.step();
      } catch (e) {
        this.logger.error({ err: e, loop: this.name }, 'background step failed; retrying');
        pause = Math.max(this.idleMs, 1000);
      }
      if (!more && !this.poked && this.running) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, pause);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.wake = null;
      }
    }
  }
}
