-- Database roles for a DATABASE_URL deployment (docs/operations.md, "Database roles").
-- Run once as a superuser or a role with CREATEROLE, e.g.
--   psql "$ADMIN_URL" -v owner_password="'…'" -v app_password="'…'" -v dbname=results_sharing -f scripts/db-roles.sql
-- Then:
--   DATABASE_MIGRATION_URL=postgres://rsa_owner:…@host/results_sharing   (migrations, the ledger's purge function)
--   DATABASE_URL=postgres://rsa_app:…@host/results_sharing               (the API and its workers)
-- Every start (or `npm run migration:run` + start) grants rsa_app what the schema needs and
-- takes back UPDATE, DELETE and TRUNCATE on the ledger (src/database/roles.ts).

-- Owns the schema: runs migrations, owns the tables and the SECURITY DEFINER ledger_purge().
CREATE ROLE rsa_owner LOGIN PASSWORD :owner_password NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
-- The API: reads and writes data, appends to the ledger, owns nothing, switches no trigger off.
CREATE ROLE rsa_app LOGIN PASSWORD :app_password NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT;

CREATE DATABASE :dbname OWNER rsa_owner;
\connect :dbname
ALTER SCHEMA public OWNER TO rsa_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
-- The job queue's schema (pgboss) is created by the first migration run, as rsa_owner, the database's owner.
