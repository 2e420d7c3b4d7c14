import { ConfigError, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('has working defaults for local use (embedded database, demo seed)', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, databaseUrl: undefined, seedDemo: true, migrateOnStart: true });
    expect(c.jwt).toMatchObject({ issuer: 'http://localhost:3000', audience: 'results-sharing-api', accessTokenTtlSeconds: 900 });
    expect(c.learnerIdp).toBeUndefined();
  });

  it('lists every problem at once', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LEARNER_IDP_ISSUER: 'https://idp', LOG_LEVEL: 'loud' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/PORT must be an integer/);
    expect(problems).toMatch(/DATABASE_URL must be a postgres: or postgresql: URL/);
    expect(problems).toMatch(/LEARNER_IDP_ISSUER and LEARNER_IDP_JWKS_URI must be set together/);
    expect(problems).toMatch(/LOG_LEVEL must be one of/);
  });

  it('delivery lanes in the API process leave pool connections for requests', () => {
    expect(loadConfig({}).notifications.deliveryLanes).toBe(4);
    expect(() => loadConfig({ NOTIFY_DELIVERY_LANES: '9' })).toThrow(/NOTIFY_DELIVERY_LANES must be at most DATABASE_POOL_SIZE - 2 \(8\)/);
    expect(loadConfig({ NOTIFY_DELIVERY_LANES: '9', WORKERS_IN_PROCESS: 'false' }).notifications.deliveryLanes).toBe(9);
    expect(loadConfig({ NOTIFY_DELIVERY_LANES: '9', DATABASE_POOL_SIZE: '12' }).notifications.deliveryLanes).toBe(9);
  });

  it('production must name its issuer and does not seed demo data', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_ISSUER must be set in production/);
    expect(loadConfig({ NODE_ENV: 'production', JWT_ISSUER: 'https://api.example.nl' }).seedDemo).toBe(false);
  });

  it('configures the learning platform identity provider', () => {
    const c = loadConfig({ LEARNER_IDP_ISSUER: 'https://idp.example', LEARNER_IDP_JWKS_URI: 'https://idp.example/jwks.json' });
    expect(c.learnerIdp).toEqual({ issuer: 'https://idp.example', jwksUri: 'https://idp.example/jwks.json', audience: 'results-sharing-api' });
  });

  it('refuses settings that contradict each other at run time', () => {
    expect(() => loadConfig({ ACCESS_TOKEN_TTL_SECONDS: '7200', JWT_MAX_LIFETIME_SECONDS: '3600' })).toThrow(/ACCESS_TOKEN_TTL_SECONDS must not exceed JWT_MAX_LIFETIME_SECONDS/);
    expect(() => loadConfig({ GRAPHQL_COST_BUDGET: '1000', GRAPHQL_MAX_COST: '5000' })).toThrow(/GRAPHQL_COST_BUDGET must be 0 \(off\) or at least GRAPHQL_MAX_COST/);
    expect(loadConfig({ GRAPHQL_COST_BUDGET: '0' }).graphql.costBudget).toBe(0);
  });
});
