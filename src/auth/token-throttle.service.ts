import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { CONTROL_CONNECTION } from '../common/database/control-connection';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

/**
 * Slow-down, then lockout, of repeated failures at the token endpoint, counted in PostgreSQL so
 * that every API process sees the same count (rate-limiter-flexible).
 *
 * Slow-down: from the TOKEN_SLOWDOWN_AFTER-th failure of one client id from one address (and the
 * TOKEN_SLOWDOWN_AFTER_PER_ADDRESS-th from one address), the next attempt is refused unchecked
 * until a pause has passed: 1 s, doubling with every further failure, at most
 * TOKEN_SLOWDOWN_MAX_SECONDS. Refused attempts do not count, so a patient client with a typo
 * loses seconds, while a guesser reaches the lockout only after minutes instead of milliseconds.
 *
 * Lockout: after TOKEN_MAX_FAILURES wrong attempts
 * for one client id from one address (or TOKEN_MAX_FAILURES_PER_ADDRESS from one address, any
 * client ids) within TOKEN_FAILURE_WINDOW_SECONDS, further attempts from that address are refused
 * for TOKEN_LOCKOUT_SECONDS, right secret or not. Counting a client id per address means nobody
 * can lock a client out from elsewhere by failing on purpose; a success clears the count.
 */
@Injectable()
export class TokenThrottle implements OnModuleInit {
  private byClient!: RateLimiterPostgres;
  private byAddress!: RateLimiterPostgres;
  /** A pause after a failure: blocked for the pause's length, never consumed otherwise. */
  private pause!: RateLimiterPostgres;

  constructor(
    @InjectDataSource(CONTROL_CONNECTION) private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const pool = (this.dataSource.driver as PostgresDriver).master as object;
    const { maxFailures, maxFailuresPerAddress, windowSeconds, lockoutSeconds } = this.config.tokenEndpoint;
    const common = { storeClient: pool, storeType: 'pool', tableName: 'token_failures', tableCreated: true, clearExpiredByTimeout: false, duration: windowSeconds, blockDuration: lockoutSeconds };
    // The limiter blocks on the failure that goes past `points`: the max-th failure starts the lockout.
    this.byClient = new RateLimiterPostgres({ ...common, keyPrefix: 'client', points: maxFailures - 1 });
    this.byAddress = new RateLimiterPostgres({ ...common, keyPrefix: 'address', points: maxFailuresPerAddress - 1 });
    this.pause = new RateLimiterPostgres({ ...common, keyPrefix: 'pause', points: 0, duration: 1, blockDuration: 1 });
  }

  /** Seconds until another attempt is allowed, or 0 when it is allowed now. */
  async lockedFor(clientId: string, address: string): Promise<{ seconds: number; reason: 'locked' | 'slow-down' } | null> {
    const key = clientKey(clientId, address);
    const [client, from, pausedClient, pausedAddress] = await Promise.all([
      this.byClient.get(key),
      this.byAddress.get(address),
      this.pause.get(`client|${key}`),
      this.pause.get(`address|${address}`),
    ]);
    const wait = (res: RateLimiterRes | null, limiter: RateLimiterPostgres) =>
      res !== null && res.consumedPoints > limiter.points && res.msBeforeNext > 0 ? Math.max(Math.ceil(res.msBeforeNext / 1000), 1) : 0;
    const locked = Math.max(wait(client, this.byClient), wait(from, this.byAddress));
    if (locked > 0) return { seconds: locked, reason: 'locked' };
    const paused = Math.max(wait(pausedClient, this.pause), wait(pausedAddress, this.pause));
    return paused > 0 ? { seconds: paused, reason: 'slow-down' } : null;
  }

  async failed(clientId: string, address: string): Promise<void> {
    const key = clientKey(clientId, address);
    // Consuming past the limit rejects (and starts the block): that is the point, not an error.
    const [client, from] = await Promise.all([this.byClient.consume(key), this.byAddress.consume(address)].map((p) => p.then((r) => r, countOf)));
    const { slowdownAfter, slowdownAfterPerAddress, slowdownMaxSeconds } = this.config.tokenEndpoint;
    const pauses = [
      { key: `client|${key}`, seconds: pauseSeconds(client, slowdownAfter, slowdownMaxSeconds) },
      { key: `address|${address}`, seconds: pauseSeconds(from, slowdownAfterPerAddress, slowdownMaxSeconds) },
    ].filter((p) => p.seconds > 0);
    await Promise.all(pauses.map((p) => this.pause.block(p.key, p.seconds)));
  }

  async succeeded(clientId: string, address: string): Promise<void> {
    const key = clientKey(clientId, address);
    await Promise.all([this.byClient.delete(key), this.pause.delete(`client|${key}`)]);
  }

  /** Counts whose window and lockout are over: deleted by the limits housekeeping job. */
  async deleteExpired(): Promise<number> {
    const res = await this.dataSource.query<[unknown[], number]>(`DELETE FROM token_failures WHERE expire IS NOT NULL AND expire < $1`, [Date.now()]);
    return res[1];
  }
}

/** Keys are bounded: a malformed or overlong id counts under one shared key. */
function clientKey(clientId: string, address: string): string {
  return `${/^[\x21-\x7e]{1,200}$/.test(clientId) ? clientId : '(malformed)'}|${address}`;
}

/** The count after a failure; a rejection past the limit carries it too. */
function countOf(e: unknown): RateLimiterRes {
  if (!(e instanceof RateLimiterRes)) throw e;
  return e;
}

/** 1 s at the `after`-th failure, doubling with each further one, at most `max`. */
export function pauseSeconds(res: RateLimiterRes, after: number, max: number): number {
  const n = res.consumedPoints;
  return n < after ? 0 : Math.min(2 ** (n - after), max);
}
