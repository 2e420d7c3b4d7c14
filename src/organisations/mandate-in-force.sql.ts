/**
 * SQL: the broker mandate `alias` is in force at `now` — inside its half-open validity window and
 * not revoked by then (DESIGN §4 precise rules). One definition for every query that asks.
 */
export function mandateInForceSql(alias: string, now = 'now()'): string {
  return `(${alias}.revoked_at IS NULL OR ${alias}.revoked_at > ${now}) AND ${alias}.valid_from <= ${now} AND (${alias}.valid_until IS NULL OR ${alias}.valid_until > ${now})`;
}
