import type { INestApplication } from '@nestjs/common';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory';
import type { AccessTokenClaims } from '../../src/auth/actor';
import { TokenService } from '../../src/auth/token.service';
import { loadConfig, type AppConfig } from '../../src/config/app-config';
import { databaseOptions } from '../../src/database/database-options';
import { createTestDatabase, type TestDatabase } from './test-database';

export const TEST_ISSUER = 'http://api.test.local';
export const TEST_AUDIENCE = 'results-sharing-api';

export interface GqlResult<T = any> {
  status: number;
  data: T;
  errors?: { message: string; extensions: { code: string; field?: string; fields?: { field: string }[] } }[];
  body: any;
}

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  /** The app's own connection: the least-privilege application role. */
  db: DataSource;
  /** The cluster's superuser on the same database, for what only an attacker or an operator could do. */
  admin: DataSource;
  http: () => ReturnType<typeof request>;
  token(claims: AccessTokenClaims, ttlSeconds?: number): string;
  gql<T = any>(token: string | undefined, query: string, variables?: Record<string, unknown>): Promise<GqlResult<T>>;
  close(): Promise<void>;
}

/** The real application (same factory as main.ts) on its own database, driven over HTTP. */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const database: TestDatabase = await createTestDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    JWT_ISSUER: TEST_ISSUER,
    JWT_AUDIENCE: TEST_AUDIENCE,
    SEED_DEMO: 'false',
    GRAPHQL_LANDING_PAGE: 'false',
    // Tests that exercise delivery turn the workers on and point SMTP_URL at their SMTP server.
    WORKERS_IN_PROCESS: 'false',
    NOTIFY_COALESCE_SECONDS: '0',
    // The per-client cost budget is off unless a test is about it: other suites make thousands
    // of requests in a minute (test/e2e/api-limits.e2e-spec.ts turns it on).
    GRAPHQL_COST_BUDGET: '0',
    DATA_DIR: join(tmpdir(), 'rsa-test-data'),
    ...env,
    DATABASE_URL: database.appUrl,
  });
  const app = await createApp({ ...config, databaseUrl: database.appUrl }, pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }));
  const admin = await new DataSource(databaseOptions(database.url, 2)).initialize();
  const server = app.getHttpServer();
  const tokens = app.get(TokenService);
  return {
    app,
    config,
    db: app.get(DataSource),
    admin,
    http: () => request(server),
    token: (claims, ttl) => tokens.issue(claims, ttl).accessToken,
    async gql(token, query, variables) {
      const req = request(server).post('/graphql').set('content-type', 'application/json');
      if (token) req.set('authorization', `Bearer ${token}`);
      const res = await req.send({ query, variables });
      return { status: res.status, data: res.body?.data, errors: res.body?.errors, body: res.body };
    },
    async close() {
      await app.close();
      await admin.destroy();
      await database.drop();
    },
  };
}
