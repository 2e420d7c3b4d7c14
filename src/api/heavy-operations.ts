import { Inject, Injectable } from '@nestjs/common';
import { Sema } from 'async-sema';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

/**
 * At most `GRAPHQL_HEAVY_CONCURRENCY` heavy operations (cost ≥ `GRAPHQL_HEAVY_COST`: a page of
 * hundreds of learners) run at once in this process; the next ones wait their turn in arrival
 * order, and past `GRAPHQL_HEAVY_QUEUE` waiting one is refused at once (docs/api-limits.md,
 * "Heavy operations"). A 500-learner page holds tens of megabytes while it runs (its facts, its
 * answer, its ledger entries) and is mostly CPU here: without a bound, ten at once took the process
 * past 600 MB for less throughput than two at a time on two cores (measured in that doc).
 */
@Injectable()
export class HeavyOperations {
  private readonly slots: Sema;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.slots = new Sema(config.graphql.heavyConcurrency);
  }

  isHeavy(cost: number): boolean {
    return cost >= this.config.graphql.heavyCost;
  }

  /** A turn, or false when too many wait already (the caller answers 503). */
  async acquire(): Promise<boolean> {
    if (this.slots.tryAcquire() !== undefined) return true;
    if (this.slots.nrWaiting() >= this.config.graphql.heavyQueue) return false;
    await this.slots.acquire();
    return true;
  }

  release(): void {
    this.slots.release();
  }

  waiting(): number {
    return this.slots.nrWaiting();
  }
}
