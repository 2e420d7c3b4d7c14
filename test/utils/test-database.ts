import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export interface TestDatabase {
  /** As the cluster's superuser: for test setup that the application may not do. */
  url: string;
  /** As the application's least-privilege role (src/database/roles.ts). */
  appUrl: string;
  drop(): Promise<void>;
}

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: process.env.TEST_DB_ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh database cloned from the migrated template, private to one test file. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `rsa_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${process.env.TEST_DB_TEMPLATE}`));
  const url = new URL(process.env.TEST_DB_ADMIN_URL!);
  url.pathname = `/${name}`;
  const appUrl = new URL(url);
  appUrl.username = 'rsa_app';
  appUrl.password = encodeURIComponent(process.env.TEST_DB_APP_PASSWORD ?? '');
  return {
    url: url.toString(),
    appUrl: appUrl.toString(),
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
