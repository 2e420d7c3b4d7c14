/**
 * "In force" for anything with a validity window and a revocation (sharing agreements, broker
 * mandates): `validFrom <= now < validUntil` — half-open, no `validUntil` means open-ended — and
 * not revoked at `now`; a revocation takes effect at its own timestamp (`revokedAt <= now`).
 * See docs/sharing-rules.md rule 5.
 *
 * One definition for memory (`windowAt`, `inForceAt`) and one for SQL (`windowInForceSql`);
 * test/e2e/in-force.e2e-spec.ts evaluates both on the same random windows and fails if they
 * ever disagree.
 */
export interface ValidityWindow {
  validFrom: Date;
  validUntil: Date | null;
  revokedAt: Date | null;
}

/** Each way a window can fail to be in force at `now` (all false: in force). */
export function windowAt(w: ValidityWindow, now: Date): { notYetValid: boolean; expired: boolean; revoked: boolean } {
  return {
    notYetValid: w.validFrom > now,
    expired: w.validUntil !== null && w.validUntil <= now,
    revoked: w.revokedAt !== null && w.revokedAt <= now,
  };
}

export function inForceAt(w: ValidityWindow, now: Date): boolean {
  const s = windowAt(w, now);
  return !s.notYetValid && !s.expired && !s.revoked;
}

/**
 * SQL: the row `alias` (columns valid_from, valid_until, revoked_at) is in force at `now` (an SQL
 * expression: `now()`, `statement_timestamp()` or a parameter).
 */
export function windowInForceSql(alias: string, now: string): string {
  return `(${alias}.valid_from <= ${now} AND (${alias}.valid_until IS NULL OR ${alias}.valid_until > ${now}) AND (${alias}.revoked_at IS NULL OR ${alias}.revoked_at > ${now}))`;
}
