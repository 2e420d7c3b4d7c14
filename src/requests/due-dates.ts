/**
 * The deadlines of the register, computed by the database (its clock is the one every timestamp
 * of the register uses) on the provider's calendar, Europe/Amsterdam (docs/learner-rights.md,
 * "Deadlines"):
 *
 * - due: 28 calendar days after receipt, at the same local time — the privacy statement's "within
 *   4 weeks", stricter than the GDPR's one month (Art. 12(3)), so both hold. Across a change to or
 *   from summer time the interval is 28 days on the wall clock, not 672 hours.
 * - an extension may reach at most two calendar months past the original due date (Art. 12(3)).
 */
const ZONE = `'Europe/Amsterdam'`;

/** SQL: the due date of a request received at `$received`. */
export function dueAtSql(received: string): string {
  return `((${received}) AT TIME ZONE ${ZONE} + interval '28 days') AT TIME ZONE ${ZONE}`;
}

/** SQL: the latest date an extension may reach, from the original due date. */
export function extensionCapSql(originalDue: string): string {
  return `((${originalDue}) AT TIME ZONE ${ZONE} + interval '2 months') AT TIME ZONE ${ZONE}`;
}
