import type { EntityManager } from 'typeorm';
import type { Hold } from './erasure.entity';

/**
 * What an erasure must hold back, and until when (docs/retention.md): per kind of record that
 * still has rows for the learner, the rule's legal ground and the earliest day (Europe/Amsterdam)
 * all of them may go — the latest event plus the rule's period. Certificates take the period of
 * their course's accreditation body where a rule names it. Ledger entries never go before the
 * ledger's own proof period (ledger_policy), which the purge function enforces.
 */
export async function holdsOf(em: EntityManager, learnerId: string): Promise<Hold[]> {
  const rows = await em.query<{ recordKind: string; legalGround: string; until: string }[]>(
    `WITH rule AS (SELECT record_kind, accreditation_body, legal_ground, make_interval(months => period_months) AS period FROM retention_rules),
     def AS (SELECT * FROM rule WHERE accreditation_body = ''),
     held AS (
       SELECT 'ENROLMENT_ADMINISTRATION' AS kind, max(COALESCE(e.completed_at, CASE WHEN e.status = 'WITHDRAWN' THEN e.updated_at END, now())
                                                  + (SELECT period FROM def WHERE record_kind = 'ENROLMENT_ADMINISTRATION')) AS until
         FROM enrolments e WHERE e.learner_id = $1 HAVING count(*) > 0
       UNION ALL
       SELECT 'CERTIFICATE', max(x.issued_at + COALESCE(
                (SELECT period FROM rule WHERE record_kind = 'CERTIFICATE' AND accreditation_body = c.accreditation_body AND accreditation_body <> ''),
                (SELECT period FROM def WHERE record_kind = 'CERTIFICATE')))
         FROM certificates x JOIN enrolments e ON e.id = x.enrolment_id JOIN courses c ON c.id = e.course_id WHERE e.learner_id = $1 HAVING count(*) > 0
       UNION ALL
       SELECT 'LEDGER_ENTRY', max(d.disclosed_at + GREATEST((SELECT period FROM def WHERE record_kind = 'LEDGER_ENTRY'), (SELECT proof_period FROM ledger_policy)))
         FROM disclosures d WHERE d.learner_id = $1 AND d.purged_at IS NULL HAVING count(*) > 0
       UNION ALL
       SELECT 'LEARNER_REQUEST', max(COALESCE(r.answered_at, now()) + (SELECT period FROM def WHERE record_kind = 'LEARNER_REQUEST'))
         FROM data_subject_requests r WHERE r.learner_id = $1 HAVING count(*) > 0)
     SELECT h.kind AS "recordKind", d.legal_ground AS "legalGround",
            to_char((h.until AT TIME ZONE 'Europe/Amsterdam')::date + 1, 'YYYY-MM-DD') AS until
       FROM held h JOIN def d ON d.record_kind::text = h.kind ORDER BY h.until`,
    [learnerId],
  );
  return rows.map((r) => ({ recordKind: r.recordKind, legalGround: r.legalGround, until: r.until }));
}
