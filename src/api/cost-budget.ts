import type { DataSource } from 'typeorm';

export interface BudgetSettings {
  /** What a full bucket holds. */
  capacity: number;
  /** How fast it refills, per second. */
  refillPerSecond: number;
}

export interface BudgetAnswer {
  ok: boolean;
  /** What is left after this operation (or, when refused, what there is now). */
  remaining: number;
  /** When refused: seconds until the bucket holds this operation's cost. */
  retryAfterSeconds: number;
}

/**
 * A leaky bucket of query cost per client, kept in PostgreSQL so that every API process draws on
 * the same one (docs/api-limits.md). One statement per operation: the row is refilled for the
 * time since it was last touched (never above capacity), and the cost taken if it fits — both
 * under the row's lock, so concurrent requests of one client cannot spend the same budget twice.
 *
 * Written here rather than with rate-limiter-flexible: its Postgres limiter counts requests in
 * fixed windows, while a cost budget must refill continuously and report what is left.
 */
export class CostBudget {
  constructor(
    private readonly dataSource: DataSource,
    private readonly settings: BudgetSettings,
  ) {}

  async consume(clientKey: string, cost: number): Promise<BudgetAnswer> {
    const { capacity, refillPerSecond } = this.settings;
    const [row] = await this.dataSource.query<{ tokens: number; last_ok: boolean }[]>(
      `INSERT INTO api_cost_budgets AS b (client_key, tokens, last_ok, updated_at)
       VALUES ($1, CASE WHEN $3::float8 <= $2::float8 THEN $2::float8 - $3::float8 ELSE $2::float8 END, $3::float8 <= $2::float8, clock_timestamp())
       ON CONFLICT (client_key) DO UPDATE SET
         tokens = CASE WHEN least($2::float8, b.tokens + extract(epoch FROM clock_timestamp() - b.updated_at) * $4::float8) >= $3::float8
                       THEN least($2::float8, b.tokens + extract(epoch FROM clock_timestamp() - b.updated_at) * $4::float8) - $3::float8
                       ELSE least($2::float8, b.tokens + extract(epoch FROM clock_timestamp() - b.updated_at) * $4::float8) END,
         last_ok = least($2::float8, b.tokens + extract(epoch FROM clock_timestamp() - b.updated_at) * $4::float8) >= $3::float8,
         updated_at = clock_timestamp()
       RETURNING tokens, last_ok`,
      [clientKey, capacity, cost, refillPerSecond],
    );
    const remaining = Math.floor(row.tokens);
    return { ok: row.last_ok, remaining, retryAfterSeconds: row.last_ok ? 0 : Math.max(1, Math.ceil((cost - row.tokens) / refillPerSecond)) };
  }
}
