import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';

/**
 * Typed, validated configuration read once from the environment. The app refuses to boot on bad
 * config: every problem is listed in one message and the process exits non-zero (see main.ts).
 */
export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  host: string;
  port: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Undefined means: start the embedded PostgreSQL in `dataDir`. The API's own, least-privilege role. */
  databaseUrl?: string;
  /** The role that owns the schema, for migrations (docs/operations.md, "Database roles"); default: databaseUrl. */
  databaseMigrationUrl?: string;
  /** The role the API connects as, granted its privileges after each migration. */
  databaseAppRole: string;
  databasePoolSize: number;
  /** The control pool: token endpoint, token checks, health. */
  databaseControlPoolSize: number;
  databaseGatedPoolSize: number;
  databaseTimeouts: { statementMs: number; lockMs: number; idleInTransactionMs: number; poolWaitMs: number };
  dataDir: string;
  embeddedPostgresPort: number;
  migrateOnStart: boolean;
  seedDemo: boolean;
  /** Bearer token that /metrics asks for; unset: open in development, absent (404) in production. */
  metricsToken?: string;
  /** Express's `trust proxy`: unset, the peer address; e.g. `loopback`, `10.0.0.0/8` or a hop count. */
  trustProxy?: string | number;
  /** Lockout of repeated failures at POST /oauth/token (src/auth/token-throttle.service.ts). */
  tokenEndpoint: {
    maxFailures: number;
    maxFailuresPerAddress: number;
    windowSeconds: number;
    lockoutSeconds: number;
    slowdownAfter: number;
    slowdownAfterPerAddress: number;
    slowdownMaxSeconds: number;
  };
  jwt: {
    issuer: string;
    audience: string;
    accessTokenTtlSeconds: number;
    clockToleranceSeconds: number;
    /** Tokens (ours and the learner IdP's) living longer than this are refused (RFC 8725). */
    maxLifetimeSeconds: number;
  };
  /** The learning platform's identity provider, which issues learner tokens. Optional. */
  learnerIdp?: { issuer: string; jwksUri: string; audience: string };
  /**
   * Introspection and "Did you mean …" suggestions tell an anonymous caller the whole schema:
   * off in production unless asked for (docs/operations.md).
   */
  graphql: {
    landingPage: boolean;
    introspection: boolean;
    suggestions: boolean;
    /** false only for the benchmark's limits on/off comparison (docs/api-limits.md). */
    limitsEnabled: boolean;
    /** Queries run compiled by graphql-jit (docs/architecture.md, "The request path"); false: graphql-js only. */
    compiled: boolean;
    /** docs/api-limits.md */
    maxCost: number;
    listSize: number;
    costBudget: number;
    costRefillPerSecond: number;
    /** Operations costing at least this are heavy: at most `heavyConcurrency` run at once per process (docs/api-limits.md). */
    heavyCost: number;
    heavyConcurrency: number;
    /** Heavy operations that may wait for a turn; one more is refused with 503 and Retry-After. */
    heavyQueue: number;
    maxDepth: number;
    maxAliases: number;
    maxDirectives: number;
    maxTokens: number;
  };
  ledger: { chains: number; checkpointCron: string };
  /** The learner's rights (docs/learner-rights.md). */
  rights: {
    /** The provider's name, as the export introduces it. */
    controllerName: string;
    /** Where reminders of requests about to fall due go. */
    privacyMailbox: string;
    exportTtlDays: number;
    /** Lifetime of a download link. */
    exportLinkSeconds: number;
    /** When reminders are looked for (cron, Europe/Amsterdam). */
    reminderCron: string;
    /** When the retention job runs (cron, Europe/Amsterdam), and how many rows one transaction handles. */
    retentionCron: string;
    retentionBatchSize: number;
  };
  /** Events and webhooks (docs/events.md). */
  events: {
    /** How often the emitter, the access checker and the webhook dispatcher look for work when idle. */
    pollMs: number;
    /** Enrolment changes / access checks one transaction takes. */
    batchSize: number;
    /** When the time-driven endings (a validUntil or an employment's end passing) are looked for (cron). */
    sweepCron: string;
    /** Days the feed keeps an event (and its deliveries). */
    retentionDays: number;
    /** Webhook URLs must be https (default: in production). */
    webhookRequireHttps: boolean;
    /** Webhook targets may be private, loopback or link-local addresses (default: outside production). */
    webhookAllowPrivateTargets: boolean;
    webhookTimeoutSeconds: number;
    /** Attempts of one delivery before it is dead (a dead letter the owner may re-drive). */
    webhookMaxAttempts: number;
    /** First retry after this many seconds, then doubling with full jitter, up to webhookRetryMaxSeconds. */
    webhookRetryBaseSeconds: number;
    webhookRetryMaxSeconds: number;
    /** Failed attempts in a row after which an endpoint is disabled and its owner told. */
    webhookDisableAfterFailures: number;
    /** Deliveries in flight per endpoint, at most (an endpoint may ask for fewer). */
    webhookMaxInFlight: number;
    /** Deliveries one dispatcher has in flight over all endpoints. */
    webhookConcurrency: number;
  };
  notifications: {
    /** Run the notification workers inside the API process (else: `npm run worker`). */
    workersInProcess: boolean;
    /** Disclosures to one learner within this many seconds become one message (0 = at once). */
    coalesceSeconds: number;
    retryLimit: number;
    /** First retry after this many seconds, then exponential backoff. */
    retryDelaySeconds: number;
    /** An active delivery job not finished after this long (a killed worker) is retried. */
    jobExpireSeconds: number;
    /** pg-boss maintenance interval (expiry of stuck jobs). */
    maintenanceSeconds: number;
    pollSeconds: number;
    /**
     * Messages a delivery round has in flight to SMTP at the same time (the round itself holds one
     * database connection, docs/ledger-and-notifications.md). 4 suits workers inside the API; a
     * dedicated worker (`npm run worker`) drains faster with 8 (docs/operations.md).
     */
    deliveryLanes: number;
    /** smtp(s)://user:pass@host:port; unset: write .eml files to `${dataDir}/outbox`. */
    smtpUrl?: string;
    mailFrom: string;
    /** Where learners manage consent and objections (linked in every message). */
    privacyUrl: string;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): AppConfig {
  const problems: string[] = [];
  const str = (name: string, fallback?: string): string | undefined => {
    const v = env[name];
    return v === undefined || v === '' ? fallback : v;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return n;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    if (['true', '1', 'yes'].includes(raw.toLowerCase())) return true;
    if (['false', '0', 'no'].includes(raw.toLowerCase())) return false;
    problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
      return fallback;
    }
    return raw as T;
  };
  const url = (name: string, raw: string | undefined, protocols: string[]): string | undefined => {
    if (raw === undefined) return undefined;
    try {
      const u = new URL(raw);
      if (!protocols.includes(u.protocol)) throw new Error();
      return raw;
    } catch {
      problems.push(`${name} must be a ${protocols.join(' or ')} URL (got "${raw}")`);
      return undefined;
    }
  };

  const nodeEnv = oneOf('NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const port = int('PORT', 3000, 0, 65535);
  const host = str('HOST', '0.0.0.0')!;
  const databaseUrl = url('DATABASE_URL', str('DATABASE_URL'), ['postgres:', 'postgresql:']);
  const databaseMigrationUrl = url('DATABASE_MIGRATION_URL', str('DATABASE_MIGRATION_URL'), ['postgres:', 'postgresql:']);
  const databaseAppRole = str('DATABASE_APP_ROLE', 'rsa_app')!;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(databaseAppRole)) problems.push('DATABASE_APP_ROLE must be a lower-case PostgreSQL role name');
  // The issuer names this API in its tokens; it does not follow PORT, so tokens minted by the CLI
  // and by a server on another port agree. Production must name its public URL.
  if (nodeEnv === 'production' && str('JWT_ISSUER') === undefined) problems.push('JWT_ISSUER must be set in production');
  const issuer = str('JWT_ISSUER', 'http://localhost:3000')!;
  url('JWT_ISSUER', issuer, ['http:', 'https:']);

  const idpIssuer = str('LEARNER_IDP_ISSUER');
  const idpJwks = url('LEARNER_IDP_JWKS_URI', str('LEARNER_IDP_JWKS_URI'), ['http:', 'https:']);
  if ((idpIssuer === undefined) !== (str('LEARNER_IDP_JWKS_URI') === undefined)) {
    problems.push('LEARNER_IDP_ISSUER and LEARNER_IDP_JWKS_URI must be set together');
  }
  if (idpIssuer !== undefined && idpIssuer === issuer) {
    problems.push('LEARNER_IDP_ISSUER must differ from JWT_ISSUER');
  }
  const audience = str('JWT_AUDIENCE', 'results-sharing-api')!;

  const config: AppConfig = {
    nodeEnv,
    host,
    port,
    logLevel: oneOf(
      'LOG_LEVEL',
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
      nodeEnv === 'test' ? 'silent' : 'info',
    ),
    databaseUrl,
    databaseMigrationUrl,
    databaseAppRole,
    databasePoolSize: int('DATABASE_POOL_SIZE', 10, 1, 200),
    databaseControlPoolSize: int('DATABASE_CONTROL_POOL_SIZE', 5, 1, 50),
    databaseGatedPoolSize: int('DATABASE_GATED_POOL_SIZE', 8, 1, 200),
    databaseTimeouts: {
      statementMs: int('DB_STATEMENT_TIMEOUT_MS', 30_000, 100, 3_600_000),
      lockMs: int('DB_LOCK_TIMEOUT_MS', 5_000, 50, 600_000),
      idleInTransactionMs: int('DB_IDLE_IN_TRANSACTION_TIMEOUT_MS', 60_000, 1_000, 3_600_000),
      poolWaitMs: int('DB_POOL_WAIT_MS', 10_000, 100, 600_000),
    },
    dataDir: resolve(str('DATA_DIR', '.data')!),
    embeddedPostgresPort: int('EMBEDDED_PG_PORT', 54320, 1024, 65535),
    migrateOnStart: bool('MIGRATE_ON_START', true),
    seedDemo: bool('SEED_DEMO', nodeEnv !== 'production'),
    metricsToken: str('METRICS_TOKEN'),
    trustProxy: ((v) => (v === undefined ? undefined : /^\d+$/.test(v) ? Number(v) : v))(str('TRUST_PROXY')),
    tokenEndpoint: {
      maxFailures: int('TOKEN_MAX_FAILURES', 10, 2, 10_000),
      maxFailuresPerAddress: int('TOKEN_MAX_FAILURES_PER_ADDRESS', 50, 2, 100_000),
      windowSeconds: int('TOKEN_FAILURE_WINDOW_SECONDS', 900, 1, 86_400),
      lockoutSeconds: int('TOKEN_LOCKOUT_SECONDS', 900, 1, 86_400),
      slowdownAfter: int('TOKEN_SLOWDOWN_AFTER', 3, 1, 10_000),
      slowdownAfterPerAddress: int('TOKEN_SLOWDOWN_AFTER_PER_ADDRESS', 10, 1, 100_000),
      slowdownMaxSeconds: int('TOKEN_SLOWDOWN_MAX_SECONDS', 60, 1, 3_600),
    },
    jwt: {
      issuer,
      audience,
      accessTokenTtlSeconds: int('ACCESS_TOKEN_TTL_SECONDS', 900, 60, 86400),
      clockToleranceSeconds: int('JWT_CLOCK_TOLERANCE_SECONDS', 5, 0, 300),
      maxLifetimeSeconds: int('JWT_MAX_LIFETIME_SECONDS', 86400, 60, 30 * 86400),
    },
    learnerIdp:
      idpIssuer && idpJwks
        ? { issuer: idpIssuer, jwksUri: idpJwks, audience: str('LEARNER_IDP_AUDIENCE', audience)! }
        : undefined,
    graphql: {
      landingPage: bool('GRAPHQL_LANDING_PAGE', nodeEnv !== 'production'),
      introspection: bool('GRAPHQL_INTROSPECTION', nodeEnv !== 'production'),
      suggestions: bool('GRAPHQL_SUGGESTIONS', nodeEnv !== 'production'),
      limitsEnabled: bool('GRAPHQL_LIMITS_ENABLED', true),
      compiled: bool('GRAPHQL_COMPILED', true),
      maxCost: int('GRAPHQL_MAX_COST', 300_000, 100, 100_000_000),
      listSize: int('GRAPHQL_LIST_SIZE', 5, 1, 1000),
      costBudget: int('GRAPHQL_COST_BUDGET', 2_000_000, 0, 1_000_000_000),
      costRefillPerSecond: int('GRAPHQL_COST_REFILL_PER_SECOND', 100_000, 1, 100_000_000),
      heavyCost: int('GRAPHQL_HEAVY_COST', 50_000, 1, 100_000_000),
      // One heavy operation per core (at least 2): each is mostly CPU in this process, and more at
      // once only add memory and latency (docs/api-limits.md, "Heavy operations", measured).
      heavyConcurrency: int('GRAPHQL_HEAVY_CONCURRENCY', Math.max(2, availableParallelism()), 1, 1_000),
      heavyQueue: int('GRAPHQL_HEAVY_QUEUE', 100, 0, 100_000),
      maxDepth: int('GRAPHQL_MAX_DEPTH', 10, 2, 100),
      maxAliases: int('GRAPHQL_MAX_ALIASES', 15, 0, 1000),
      maxDirectives: int('GRAPHQL_MAX_DIRECTIVES', 10, 0, 1000),
      maxTokens: int('GRAPHQL_MAX_TOKENS', 5_000, 100, 1_000_000),
    },
    ledger: { chains: int('LEDGER_CHAINS', 16, 1, 1024), checkpointCron: str('LEDGER_CHECKPOINT_CRON', '*/10 * * * *')! },
    rights: {
      controllerName: str('CONTROLLER_NAME', 'Leerhuis Online')!,
      privacyMailbox: str('PRIVACY_MAILBOX', 'privacy@leerhuis.example')!,
      exportTtlDays: int('EXPORT_TTL_DAYS', 7, 1, 90),
      exportLinkSeconds: int('EXPORT_LINK_SECONDS', 300, 30, 3600),
      reminderCron: str('REQUEST_REMINDER_CRON', '0 * * * *')!,
      retentionCron: str('RETENTION_CRON', '30 3 * * *')!,
      retentionBatchSize: int('RETENTION_BATCH_SIZE', 1000, 1, 100_000),
    },
    events: {
      pollMs: int('EVENTS_POLL_MS', 250, 10, 60_000),
      batchSize: int('EVENTS_BATCH_SIZE', 1000, 1, 100_000),
      sweepCron: str('EVENTS_SWEEP_CRON', '* * * * *')!,
      retentionDays: int('EVENTS_RETENTION_DAYS', 30, 1, 365),
      webhookRequireHttps: bool('WEBHOOK_REQUIRE_HTTPS', nodeEnv === 'production'),
      webhookAllowPrivateTargets: bool('WEBHOOK_ALLOW_PRIVATE_TARGETS', nodeEnv !== 'production'),
      webhookTimeoutSeconds: int('WEBHOOK_TIMEOUT_SECONDS', 10, 1, 120),
      webhookMaxAttempts: int('WEBHOOK_MAX_ATTEMPTS', 12, 1, 100),
      webhookRetryBaseSeconds: int('WEBHOOK_RETRY_BASE_SECONDS', 5, 1, 3600),
      webhookRetryMaxSeconds: int('WEBHOOK_RETRY_MAX_SECONDS', 3600, 1, 86_400),
      webhookDisableAfterFailures: int('WEBHOOK_DISABLE_AFTER_FAILURES', 50, 1, 100_000),
      webhookMaxInFlight: int('WEBHOOK_MAX_IN_FLIGHT', 8, 1, 256),
      webhookConcurrency: int('WEBHOOK_CONCURRENCY', 64, 1, 1024),
    },
    notifications: {
      workersInProcess: bool('WORKERS_IN_PROCESS', true),
      coalesceSeconds: int('NOTIFY_COALESCE_SECONDS', 60, 0, 86400),
      retryLimit: int('NOTIFY_RETRY_LIMIT', 8, 0, 100),
      retryDelaySeconds: int('NOTIFY_RETRY_DELAY_SECONDS', 10, 1, 3600),
      jobExpireSeconds: int('NOTIFY_JOB_EXPIRE_SECONDS', 120, 1, 86400),
      maintenanceSeconds: int('NOTIFY_MAINTENANCE_SECONDS', 30, 1, 3600),
      pollSeconds: int('NOTIFY_POLL_SECONDS', 1, 1, 60),
      deliveryLanes: int('NOTIFY_DELIVERY_LANES', 4, 1, 64),
      smtpUrl: url('SMTP_URL', str('SMTP_URL'), ['smtp:', 'smtps:']),
      mailFrom: str('MAIL_FROM', 'Leerhuis Online <privacy@leerhuis.example>')!,
      privacyUrl: str('PRIVACY_URL', 'https://leerhuis.example/privacy')!,
    },
  };
  const n = config.notifications;
  // In process, the workers share the API's pool with requests. Lanes once held a connection
  // each; a round holds one now, and the bound stays as a margin for the requests.
  if (n.workersInProcess && n.deliveryLanes > config.databasePoolSize - 2) {
    problems.push(`NOTIFY_DELIVERY_LANES must be at most DATABASE_POOL_SIZE - 2 (${config.databasePoolSize - 2}) while WORKERS_IN_PROCESS is true`);
  }
  // Settings that would contradict each other at run time are refused at boot.
  if (config.jwt.accessTokenTtlSeconds > config.jwt.maxLifetimeSeconds) {
    problems.push('ACCESS_TOKEN_TTL_SECONDS must not exceed JWT_MAX_LIFETIME_SECONDS (the API would refuse its own tokens)');
  }
  if (config.graphql.costBudget > 0 && config.graphql.costBudget < config.graphql.maxCost) {
    problems.push('GRAPHQL_COST_BUDGET must be 0 (off) or at least GRAPHQL_MAX_COST (an operation could never fit the budget)');
  }
  if (nodeEnv === 'production' && config.events.webhookAllowPrivateTargets) {
    problems.push('WEBHOOK_ALLOW_PRIVATE_TARGETS must not be true in production (the API would post to its own network: SSRF)');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** Injection token for the AppConfig object. */
export const APP_CONFIG = Symbol('APP_CONFIG');
