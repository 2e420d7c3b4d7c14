import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { CONTROL_CONNECTION } from '../common/database/control-connection';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

/**
 * Lockout of repeated failures at the token endpoint, counted in PostgreSQL so that every API
 * process sees the same count (rate-limiter-flexible). After TOKEN_MAX_FAILURES wrong attempts
 * for one client id from one address (or TOKEN_MAX_FAILURES_PER_ADDRESS from one address, any
 * client ids) within TOKEN_FAILURE_WINDOW_SECONDS, further attempts from that address are refused
 * for TOKEN_LOCKOUT_SECONDS, right secret or not. Counting a client id per address means nobody
 * can lock a client out from elsewhere by failing on purpose; a success clears the count.
 */
@Injectable()
export class TokenThrottle implements OnModuleInit {
  private byClient!: RateLimiterPostgres;
  private byAddress!: RateLimiterPostgres;

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
  }

  /** Seconds until another attempt is allowed, or 0 when it is allowed now. */
  async lockedFor(clientId: string, address: string): Promise<number> {
    const [client, from] = await Promise.all([this.byClient.get(clientKey(clientId, address)), this.byAddress.get(address)]);
    const locked = [
      { res: client, limiter: this.byClient },
      { res: from, limiter: this.byAddress },
    ].filter(({ res, limiter }) => res !== null && res.consumedPoints > limiter.points);
    return locked.length ? Math.max(...locked.map(({ res }) => Math.ceil(res!.msBeforeNext / 1000)), 1) : 0;
  }

  async failed(clientId: string, address: string): Promise<void> {
    // Consuming past the limit rejects (and starts the block): that is the point, not an error.
    await Promise.all([this.byClient.consume(clientKey(clientId, address)), this.byAddress.consume(address)].map((p) => p.catch(swallowLimit)));
  }

  async succeeded(clientId: string, address: string): Promise<void> {
    await this.byClient.delete(clientKey(clientId, address));
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

function swallowLimit(e: unknown): void {
  if (!(e instanceof RateLimiterRes)) throw e;
}
