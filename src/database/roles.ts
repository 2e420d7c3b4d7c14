import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Client } from 'pg';

/**
 * The API connects to PostgreSQL as a least-privilege role: it reads and writes the data it owns
 * nothing of, may only append to the ledger, and cannot update or delete a ledger row, truncate
 * it, disable its triggers or switch them off for a session (it owns no table and is no superuser).
 * Migrations and the retention purge run as the role that owns the schema; the purge is one
 * SECURITY DEFINER function, `ledger_purge`, the only path that changes a ledger row.
 * docs/operations.md, "Database roles".
 */
export const LEDGER_TABLES = ['disclosures', 'ledger_batches', 'ledger_checkpoints'] as const;

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Run by the migrating (owning) role after the migrations, on every start: grants the application
 * role what it needs, then takes back what it must not have. Idempotent. Returns false when the
 * role does not exist (the API then runs as whatever DATABASE_URL names, which the docs warn of).
 */
export async function grantApplicationRole(ownerUrl: string, role: string): Promise<boolean> {
  return withClient(ownerUrl, async (c) => {
    const { rows } = await c.query<{ rolsuper: boolean }>(`SELECT rolsuper FROM pg_roles WHERE rolname = $1`, [role]);
    if (rows.length === 0) return false;
    const r = ident(role);
    const [{ db }] = (await c.query<{ db: string }>(`SELECT current_database() AS db`)).rows;
    await c.query(`GRANT CONNECT ON DATABASE ${ident(db)} TO ${r}`);
    await c.query(`GRANT USAGE ON SCHEMA public, pgboss TO ${r}`);
    await c.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public, pgboss TO ${r}`);
    await c.query(`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public, pgboss TO ${r}`);
    await c.query(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public, pgboss TO ${r}`);
    // Append and read only: the ledger, its checkpoints; the migrations' own record; the ledger policy.
    await c.query(`REVOKE UPDATE, DELETE, TRUNCATE ON ${LEDGER_TABLES.map(ident).join(', ')} FROM ${r}`);
    await c.query(`REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON typeorm_migrations, ledger_policy FROM ${r}`);
    await c.query(`REVOKE TRUNCATE ON ALL TABLES IN SCHEMA public, pgboss FROM ${r}`);
    return true;
  });
}

/**
 * Local only (the embedded server and the tests, where a superuser is at hand): the application
 * role, created once with a random password kept beside the cluster (mode 0600).
 */
export async function ensureApplicationRole(adminUrl: string, role: string, passwordFile: string): Promise<string> {
  let password: string;
  if (existsSync(passwordFile)) password = readFileSync(passwordFile, 'utf8').trim();
  else {
    password = randomBytes(18).toString('base64url');
    mkdirSync(dirname(passwordFile), { recursive: true });
    writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    chmodSync(passwordFile, 0o600);
  }
  await withClient(adminUrl, async (c) => {
    const options = `LOGIN PASSWORD '${password}' NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT`;
    const { rows } = await c.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [role]);
    try {
      await c.query(rows.length ? `ALTER ROLE ${ident(role)} ${options}` : `CREATE ROLE ${ident(role)} ${options}`);
    } catch (e) {
      // Two processes starting at once: the other one created it.
      if ((e as { code?: string }).code !== '42710') throw e;
    }
  });
  return password;
}

/** The same server and database, as another role. */
export function urlAs(url: string, role: string, password: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(role);
  u.password = encodeURIComponent(password);
  return u.toString();
}

/** Whether the current connection can bypass the ledger's protections (for a warning at start). */
export async function isSuperuser(url: string): Promise<boolean> {
  return withClient(url, async (c) => (await c.query<{ rolsuper: boolean }>(`SELECT rolsuper FROM pg_roles WHERE rolname = current_user`)).rows[0]?.rolsuper ?? false);
}
