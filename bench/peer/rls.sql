-- The benchmark's peer (docs/benchmarks.md, "The peer"): the same agreements expressed as PostgreSQL row-level
-- security, "as well as SQL can", for PostGraphile reading as the employer's HR portal.
-- Applied to the benchmark database only (bench/peer/peer-setup.ts); the API connects as the
-- tables' owner and is not subject to these policies.
--
-- What SQL can express: which rows a recipient sees. An enrolment row is visible when any
-- category of it is allowed (or the employer commissioned it), results when ASSESSMENT_RESULTS is
-- allowed, certificates when CERTIFICATES is. What it cannot: withholding single columns of a
-- visible row (column privileges are per role, not per row), telling why, writing a ledger entry
-- or notifying the learner. So the peer over-discloses the columns of every visible enrolment.

DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rsa_peer_reader') THEN
    CREATE ROLE rsa_peer_reader NOLOGIN;
  END IF;
END $$;

DROP SCHEMA IF EXISTS peer_rls CASCADE;
CREATE SCHEMA peer_rls;
GRANT USAGE ON SCHEMA peer_rls TO rsa_peer_reader;

CREATE FUNCTION peer_rls.recipient() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT nullif(current_setting('app.recipient_id', true), '')::uuid $$;

-- The rule tables stay unreadable for the peer role: the checks run as their owner
-- (SECURITY DEFINER), the usual pattern for RLS helpers.
CREATE FUNCTION peer_rls.learner_visible(p_learner uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT EXISTS (SELECT 1 FROM employments m WHERE m.learner_id = p_learner AND m.employer_id = peer_rls.recipient())
      OR EXISTS (SELECT 1 FROM sharing_agreements a
                  WHERE a.learner_id = p_learner AND a.recipient_id = peer_rls.recipient() AND a.basis IN ('STUDY_CONTRACT', 'CONSENT')
                    AND a.superseded_at IS NULL AND (a.revoked_at IS NULL OR a.revoked_at > now())
                    AND a.valid_from <= now() AND (a.valid_until IS NULL OR a.valid_until > now()))
$$;

-- An employment active today (Amsterdam dates, start and end inclusive).
CREATE FUNCTION peer_rls.employed(p_learner uuid, p_employer uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT EXISTS (SELECT 1 FROM employments m WHERE m.learner_id = p_learner AND m.employer_id = p_employer
                    AND m.started_on <= (now() AT TIME ZONE 'Europe/Amsterdam')::date
                    AND (m.ended_on IS NULL OR m.ended_on >= (now() AT TIME ZONE 'Europe/Amsterdam')::date))
$$;

-- Some agreement in force allows this category of this enrolment (docs/sharing-rules.md rules 5–8).
CREATE FUNCTION peer_rls.allowed(p_enrolment uuid, p_category disclosure_category) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT EXISTS (
    SELECT 1
      FROM enrolments e
      JOIN learners l ON l.id = e.learner_id AND (l.erased_at IS NULL OR l.erased_at > now())
      JOIN sharing_agreements a ON a.recipient_id = peer_rls.recipient()
       AND (a.learner_id IS NULL OR a.learner_id = e.learner_id)
       AND (a.course_ids IS NULL OR e.course_id = ANY (a.course_ids))
       AND p_category = ANY (a.categories)
       AND a.superseded_at IS NULL AND (a.revoked_at IS NULL OR a.revoked_at > now())
       AND a.valid_from <= now() AND (a.valid_until IS NULL OR a.valid_until > now())
     WHERE e.id = p_enrolment
       AND NOT EXISTS (SELECT 1 FROM restrictions r WHERE r.learner_id = e.learner_id AND r.requested_at <= now() AND (r.lifted_at IS NULL OR r.lifted_at > now()))
       AND CASE a.basis
             WHEN 'PROCESSOR' THEN e.sponsor_employer_id = a.recipient_id AND peer_rls.employed(e.learner_id, a.recipient_id)
             WHEN 'LEGITIMATE_INTEREST' THEN peer_rls.employed(e.learner_id, a.recipient_id)
               AND NOT EXISTS (SELECT 1 FROM objections o WHERE o.learner_id = e.learner_id AND o.recipient_id = a.recipient_id
                                  AND o.objected_at <= now() AND (o.lifted_at IS NULL OR o.lifted_at > now()))
             ELSE true -- STUDY_CONTRACT, CONSENT
           END)
$$;

CREATE FUNCTION peer_rls.enrolment_listed(p_enrolment uuid, p_sponsor uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT p_sponsor = peer_rls.recipient()
      OR EXISTS (SELECT 1 FROM unnest(enum_range(NULL::disclosure_category)) c WHERE peer_rls.allowed(p_enrolment, c))
$$;

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA peer_rls TO rsa_peer_reader;
GRANT USAGE ON SCHEMA public TO rsa_peer_reader;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM rsa_peer_reader;
GRANT SELECT ON learners, employments, enrolments, assessment_results, certificates, courses TO rsa_peer_reader;
-- Columns of learners the peer may not read at all (internal to the provider).
REVOKE SELECT ON learners FROM rsa_peer_reader;
GRANT SELECT (id, name, email) ON learners TO rsa_peer_reader;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['learners', 'employments', 'enrolments', 'assessment_results', 'certificates', 'courses'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('DROP POLICY IF EXISTS peer_read ON %I', t);
  END LOOP;
END $$;

-- Per-row checks through SECURITY DEFINER helpers (the rule tables stay closed to the peer).
-- A set-based variant (`id IN (SELECT allowed_enrolments(...))`, one hashed subplan per
-- statement) was tried and was far slower on this data: it evaluates the rule for every
-- enrolment of every employee, not only the page's.
CREATE POLICY peer_read ON learners FOR SELECT TO rsa_peer_reader USING (peer_rls.learner_visible(id));
CREATE POLICY peer_read ON employments FOR SELECT TO rsa_peer_reader USING (employer_id = peer_rls.recipient());
CREATE POLICY peer_read ON enrolments FOR SELECT TO rsa_peer_reader
  USING (peer_rls.learner_visible(learner_id) AND peer_rls.enrolment_listed(id, sponsor_employer_id));
CREATE POLICY peer_read ON assessment_results FOR SELECT TO rsa_peer_reader USING (peer_rls.allowed(enrolment_id, 'ASSESSMENT_RESULTS'));
CREATE POLICY peer_read ON certificates FOR SELECT TO rsa_peer_reader USING (peer_rls.allowed(enrolment_id, 'CERTIFICATES'));
CREATE POLICY peer_read ON courses FOR SELECT TO rsa_peer_reader USING (true);
