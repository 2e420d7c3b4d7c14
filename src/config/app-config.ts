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
  /** Undefined means: start the embedded PostgreSQL in `dataDir`. */
  databaseUrl?: string;
  databasePoolSize: number;
  dataDir: string;
  embeddedPostgresPort: number;
  migrateOnStart: boolean;
  seedDemo: boolean;
  jwt: {
    issuer: string;
    audience: string;
    accessTokenTtlSeconds: number;
    clockToleranceSeconds: number;
  };
  /** The learning platform's identity provider, which issues learner tokens. Optional. */
  learnerIdp?: { issuer: string; jwksUri: string; audience: string };
  graphql: { maxDepth: number; maxComplexity: number; landingPage: boolean };
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
    databasePoolSize: int('DATABASE_POOL_SIZE', 10, 1, 200),
    dataDir: resolve(str('DATA_DIR', '.data')!),
    embeddedPostgresPort: int('EMBEDDED_PG_PORT', 54320, 1024, 65535),
    migrateOnStart: bool('MIGRATE_ON_START', true),
    seedDemo: bool('SEED_DEMO', nodeEnv !== 'production'),
    jwt: {
      issuer,
      audience,
      accessTokenTtlSeconds: int('ACCESS_TOKEN_TTL_SECONDS', 900, 60, 86400),
      clockToleranceSeconds: int('JWT_CLOCK_TOLERANCE_SECONDS', 5, 0, 300),
    },
    learnerIdp:
      idpIssuer && idpJwks
        ? { issuer: idpIssuer, jwksUri: idpJwks, audience: str('LEARNER_IDP_AUDIENCE', audience)! }
        : undefined,
    graphql: {
      maxDepth: int('GRAPHQL_MAX_DEPTH', 10, 2, 50),
      maxComplexity: int('GRAPHQL_MAX_COMPLEXITY', 100000, 100, 10000000),
      landingPage: bool('GRAPHQL_LANDING_PAGE', nodeEnv !== 'production'),
    },
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** Injection token for the AppConfig object. */
export const APP_CONFIG = Symbol('APP_CONFIG');
