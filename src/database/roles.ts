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
    // Nothing to grant on before the first migration (a CLI on an empty database).
    const { rows: schema } = await c.query<{ migrated: boolean; queue: boolean }>(
      `SELECT to_regclass('public.ledger_policy') IS NOT NULL AS migrated, to_regnamespace('pgboss') IS NOT NULL AS queue`,
    );
    if (!schema[0].migrated) return false;
    const r = ident(role);
    const schemas = schema[0].queue ? 'public, pgboss' : 'public';
    const [{ db }] = (await c.query<{ db: string }>(`SELECT current_database() AS db`)).rows;
    // One transaction: the role never holds, not even for a moment, what the revokes take back.
    await c.query('BEGIN');
    try {
      await c.query(`GRANT CONNECT ON DATABASE ${ident(db)} TO ${r}`);
      await c.query(`GRANT USAGE ON SCHEMA ${schemas} TO ${r}`);
      await c.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schemas} TO ${r}`);
      await c.query(`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA ${schemas} TO ${r}`);
      await c.query(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ${schemas} TO ${r}`);
      // Append and read only: the ledger, its checkpoints; read only: the migrations' own record and the ledger policy.
      await c.query(`REVOKE UPDATE, DELETE, TRUNCATE ON ${LEDGER_TABLES.map(ident).join(', ')} FROM ${r}`);
      await c.query(`REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON typeorm_migrations, ledger_policy FROM ${r}`);
      await c.query(`REVOKE TRUNCATE ON ALL TABLES IN SCHEMA ${schemas} FROM ${r}`);
      await c.query('COMMIT');
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
    return true;
  });
}

/**
 * Local only (the embedded server and the tests, where a superuser is at hand): the application
 * role, created once with a random password kept beside the cluster (mode 0600).
 */
export async function ensureApplicationRole(adminUrl: string, role: string, passwordFile: string): Promise<string> {
  if (!existsSync(passwordFile)) {
    mkdirSync(dirname(passwordFile), { recursive: true });
    try {
      // 'wx': of two processes starting at once, one writes and both read the same password.
      writeFileSync(passwordFile, `${randomBytes(18).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as { code?: string }).code !== 'EEXIST') throw e;
    }
    chmodSync(passwordFile, 0o600);
  }
  const password = readFileSync(passwordFile, 'utf8').trim();
  await withClient(adminUrl, async (c) => {
    const options = `LOGIN PASSWORD '${password.replace(/'/g, "''")}' NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT`;
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

/**
 * Whether a connection could get past the ledger's protections — as a superuser, or as the owner
 * of its tables (who may switch the purge path on) — for a warning at start.
 */
export async function canBypassLedger(url: string): Promise<boolean> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ bypass: boolean }>(
      `SELECT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user)
              OR EXISTS (SELECT 1 FROM pg_catalog.pg_class WHERE relname = 'disclosures' AND relowner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)) AS bypass`,
    );
    return rows[0]?.bypass ?? false;
  });
}
