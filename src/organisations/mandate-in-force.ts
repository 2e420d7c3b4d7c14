import { inForceAt, windowInForceSql, type ValidityWindow } from '../common/validity-window';

/**
 * A broker mandate is in force inside its validity window and until its revocation
 * (docs/sharing-rules.md rule 5): the same window as an agreement's, named for the readers.
 */
export function mandateInForceSql(alias: string, now = 'now()'): string {
  return windowInForceSql(alias, now);
}

export function mandateInForce(m: ValidityWindow, now: Date): boolean {
  return inForceAt(m, now);
}
