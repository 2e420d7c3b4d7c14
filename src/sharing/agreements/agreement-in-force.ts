import { windowInForceSql } from '../../common/validity-window';

/**
 * SQL: the agreement version `alias` (a `sharing_agreements` row) is in force at `now`: the
 * current version, inside its window and not revoked (common/validity-window.ts), and its
 * learner neither restricted nor erased at `now` — a restriction or an erasure ends everything
 * an agreement gives, visibility included (docs/sharing-rules.md rules 5 and 7).
 *
 * The rules engine checks the same conditions in memory (sharing-rules.ts `reasonsAgainst`,
 * through `windowAt`), so it can say *why* an agreement is not in force; this form is for
 * selecting rows.
 */
export function agreementInForceSql(alias: string, now: string): string {
  return `(${alias}.superseded_at IS NULL AND ${windowInForceSql(alias, now)}
  AND NOT EXISTS (SELECT 1 FROM restrictions r WHERE r.learner_id = ${alias}.learner_id AND r.requested_at <= ${now} AND (r.lifted_at IS NULL OR r.lifted_at > ${now}))
  AND NOT EXISTS (SELECT 1 FROM learners e WHERE e.id = ${alias}.learner_id AND e.erased_at IS NOT NULL AND e.erased_at <= ${now}))`;
}
