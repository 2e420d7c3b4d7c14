import type { EntityManager } from 'typeorm';
import { itemsOfContent, perCategory } from '../../disclosures/disclosure-item';

/** Everything held about one learner (docs/learner-rights.md, "Export"), read section by section. */
export const EXPORT_FORMAT = 'results-sharing-api/learner-export';
export const EXPORT_VERSION = 1;

export interface Named {
  id: string;
  name: string;
}

export interface ReadableDisclosure {
  id: string;
  /** DISCLOSURE, or ACCESS_ENDED: the recipient was told to delete these items (docs/events.md). */
  kind: string;
  reason: string | null;
  disclosedAt: Date;
  recipient: Named;
  operationName: string | null;
  requestId: string;
  /** Its content was removed by retention: the entry (and its hash) remain as proof. */
  purged: boolean;
  items: {
    enrolmentId: string;
    course: Named;
    categories: { category: string; basis: string; agreementId: string; agreementVersionId: string; agreementVersion: number; onBehalfOf: Named | null }[];
  }[];
}

/**
 * Each table that holds a learner's id, and the section of the export that carries its rows. The
 * export's coverage test compares this with the database's own catalogue, so a new table that
 * names a learner cannot be forgotten (test/e2e/learner-export.e2e-spec.ts).
 */
export const SECTION_OF_TABLE: Record<string, string> = {
  learners: 'learner',
  employments: 'employments',
  enrolments: 'enrolments',
  assessment_results: 'enrolments[].assessmentResults',
  certificates: 'enrolments[].certificates',
  sharing_agreements: 'agreements',
  objections: 'objections',
  restrictions: 'restrictions',
  disclosures: 'disclosures',
  notifications: 'notifications',
  data_subject_requests: 'requests',
  learner_changes: 'profileChanges',
  learner_exports: 'exports',
  // Staff's reminders about the learner's requests: the requests themselves are in `requests`.
  staff_alerts: 'requests',
  // The files of the exports: the files are the export itself.
  learner_export_chunks: 'exports',
  // Rows that exist only once a learner is erased, when there is nobody left to export for: what
  // was held back is in the erasure request's answer (`requests`), and the recipients to be told
  // are those of `disclosures` (docs/retention.md).
  erasures: 'requests',
  recipient_notices: 'disclosures',
  // Events tell a recipient to look again, with ids and category names only, never a value
  // (docs/events.md): what it then read is in `disclosures`, and that it was told to delete is an
  // ACCESS_ENDED entry there. What each recipient received is derived from those same entries.
  events: 'disclosures',
  recipient_access: 'disclosures',
  // Work queues of seconds: a change of an enrolment (in `enrolments`) waiting to become events,
  // and a reminder to look again at what recipients may keep.
  enrolment_changes: 'enrolments',
  access_checks: 'disclosures',
};

/**
 * Rows of a long section read at a time. Each page's entries are parsed and named in one go: with
 * 1,000 that was a block of 40–50 ms of the event loop of the API process, where exports run by
 * default; 250 keeps it near 12 ms and a page's objects few (docs/benchmarks.md, "Round 3,
 * eleventh session").
 */
const PAGE = 250;

/** Reads the sections in a transaction of its own (one consistent snapshot: REPEATABLE READ). */
export class ExportReader {
  private readonly names = new Map<string, string>();

  constructor(
    private readonly em: EntityManager,
    readonly learnerId: string,
  ) {}

  async learner(): Promise<Record<string, unknown>> {
    const [row] = await this.em.query<Record<string, unknown>[]>(
      `SELECT id, name, email, locale, external_subject_id AS "externalSubjectId", notification_frequency AS "notificationFrequency",
              created_at AS "createdAt", updated_at AS "updatedAt", erased_at AS "erasedAt"
         FROM learners WHERE id = $1`,
      [this.learnerId],
    );
    return row;
  }

  async employments(): Promise<Record<string, unknown>[]> {
    const rows = await this.em.query<Record<string, unknown>[]>(
      `SELECT e.id, json_build_object('id', o.id, 'name', o.name) AS employer, e.employee_number AS "employeeNumber",
              e.started_on::text AS "startedOn", e.ended_on::text AS "endedOn", e.claimed_name AS "claimedName",
              e.created_at AS "createdAt", e.updated_at AS "updatedAt"
         FROM employments e JOIN organisations o ON o.id = e.employer_id WHERE e.learner_id = $1 ORDER BY e.started_on, e.id`,
      [this.learnerId],
    );
    return rows;
  }

  async enrolments(): Promise<Record<string, unknown>[]> {
    return this.em.query<Record<string, unknown>[]>(
      `SELECT e.id, json_build_object('id', c.id, 'title', c.title, 'code', c.code) AS course,
              CASE WHEN s.id IS NULL THEN NULL ELSE json_build_object('id', s.id, 'name', s.name) END AS "sponsorEmployer",
              json_build_object('id', b.id, 'name', b.name) AS "enrolledBy",
              e.status, e.enrolled_at AS "enrolledAt", e.starts_on::text AS "startsOn", e.started_at AS "startedAt",
              e.progress_percent AS "progressPercent", e.time_spent_minutes AS "timeSpentMinutes", e.last_activity_at AS "lastActivityAt",
              e.completed_at AS "completedAt", e.created_at AS "createdAt", e.updated_at AS "updatedAt",
              COALESCE((SELECT json_agg(json_build_object('id', r.id, 'assessmentName', r.assessment_name, 'attemptedAt', r.attempted_at,
                                                          'score', r.score::float8, 'maxScore', r.max_score::float8, 'passed', r.passed) ORDER BY r.attempted_at, r.id)
                          FROM assessment_results r WHERE r.enrolment_id = e.id), '[]') AS "assessmentResults",
              COALESCE((SELECT json_agg(json_build_object('id', x.id, 'number', x.number, 'issuedAt', x.issued_at, 'expiresAt', x.expires_at,
                                                          'accreditationPoints', x.accreditation_points::float8) ORDER BY x.issued_at, x.id)
                          FROM certificates x WHERE x.enrolment_id = e.id), '[]') AS certificates
         FROM enrolments e JOIN courses c ON c.id = e.course_id
         LEFT JOIN organisations s ON s.id = e.sponsor_employer_id
         JOIN organisations b ON b.id = e.enrolled_by_id
        WHERE e.learner_id = $1 ORDER BY e.enrolled_at, e.id`,
      [this.learnerId],
    );
  }

  /**
   * Every version of every agreement that covers or covered the learner: those naming them, the
   * employee-wide ones of each employer they worked for, and any other that allowed a disclosure
   * about them.
   */
  async agreements(): Promise<Record<string, unknown>[]> {
    return this.em.query<Record<string, unknown>[]>(
      `WITH ids AS (
         SELECT agreement_id FROM sharing_agreements WHERE learner_id = $1
         UNION SELECT a.agreement_id FROM sharing_agreements a JOIN employments e ON e.employer_id = a.recipient_id AND e.learner_id = $1 WHERE a.learner_id IS NULL
         UNION SELECT (g->>'agreementId')::uuid FROM disclosures d,
               LATERAL jsonb_array_elements(CASE WHEN d.content = '' THEN '[]'::jsonb ELSE d.content::jsonb->'items' END) i,
               LATERAL jsonb_array_elements(COALESCE(i->'grants', i->'categories')) g
          WHERE d.learner_id = $1)
       SELECT a.id AS "versionId", a.agreement_id AS "agreementId", a.version, a.basis, json_build_object('id', o.id, 'name', o.name) AS recipient,
              a.categories::text[] AS categories, CASE WHEN a.learner_id IS NULL THEN 'EMPLOYEES' ELSE 'YOU' END AS covers,
              (SELECT json_agg(json_build_object('id', c.id, 'title', c.title) ORDER BY c.title) FROM courses c WHERE c.id = ANY(a.course_ids)) AS courses,
              a.valid_from AS "validFrom", a.valid_until AS "validUntil", a.reference, a.created_at AS "createdAt",
              a.revoked_at AS "revokedAt", a.superseded_at AS "supersededAt"
         FROM sharing_agreements a JOIN organisations o ON o.id = a.recipient_id
        WHERE a.agreement_id IN (SELECT agreement_id FROM ids) ORDER BY a.created_at, a.agreement_id, a.version`,
      [this.learnerId],
    );
  }

  async objections(): Promise<Record<string, unknown>[]> {
    return this.em.query<Record<string, unknown>[]>(
      `SELECT x.id, json_build_object('id', o.id, 'name', o.name) AS recipient, x.agreement_id AS "agreementId", x.grounds,
              x.objected_at AS "objectedAt", x.lifted_at AS "liftedAt"
         FROM objections x JOIN organisations o ON o.id = x.recipient_id WHERE x.learner_id = $1 ORDER BY x.objected_at, x.id`,
      [this.learnerId],
    );
  }

  async restrictions(): Promise<Record<string, unknown>[]> {
    return this.em.query<Record<string, unknown>[]>(
      `SELECT id, reason, requested_at AS "requestedAt", lifted_at AS "liftedAt" FROM restrictions WHERE learner_id = $1 ORDER BY requested_at, id`,
      [this.learnerId],
    );
  }

  /** The ledger entries about the learner, oldest first, a page at a time (a long history is not held in memory). */
  async *disclosures(): AsyncGenerator<ReadableDisclosure[]> {
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows = await this.em.query<
        { id: string; kind: string; disclosedAt: Date; recipientId: string; operationName: string | null; requestId: string; content: string; purgedAt: Date | null }[]
      >(
        `SELECT id, kind, disclosed_at AS "disclosedAt", recipient_id AS "recipientId", operation_name AS "operationName", request_id AS "requestId", content, purged_at AS "purgedAt"
           FROM disclosures WHERE learner_id = $1 AND id > $2 ORDER BY id LIMIT ${PAGE}`,
        [this.learnerId, after],
      );
      if (rows.length === 0) return;
      after = rows[rows.length - 1].id;
      const items = rows.map((r) => perCategory(itemsOfContent(r.content)));
      await this.loadNames(
        rows.map((r) => r.recipientId).concat(items.flat().flatMap((i) => i.categories.flatMap((c) => (c.onBehalfOf ? [c.onBehalfOf] : [])))),
        items.flat().map((i) => i.courseId),
      );
      yield rows.map((r, n) => ({
        id: r.id,
        kind: r.kind,
        reason: r.kind === 'ACCESS_ENDED' && r.content ? ((JSON.parse(r.content) as { reason?: string }).reason ?? null) : null,
        disclosedAt: r.disclosedAt,
        recipient: this.named(r.recipientId),
        operationName: r.operationName,
        requestId: r.requestId,
        purged: r.purgedAt !== null,
        items: items[n].map((i) => ({
          enrolmentId: i.enrolmentId,
          course: this.named(i.courseId),
          categories: i.categories.map((c) => ({
            category: c.category,
            basis: c.basis,
            agreementId: c.agreementId,
            agreementVersionId: c.agreementVersionId,
            agreementVersion: c.agreementVersion,
            onBehalfOf: c.onBehalfOf ? this.named(c.onBehalfOf) : null,
          })),
        })),
      }));
    }
  }

  /** The inbox and what went out by email (metadata: the texts are made from the rows above). */
  async *notifications(): AsyncGenerator<Record<string, unknown>[]> {
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows = await this.em.query<Record<string, unknown>[]>(
        `SELECT id, kind, disclosure_id AS "disclosureId", payload, created_at AS "createdAt", read_at AS "readAt",
                emailed_at AS "emailedAt", email_message_id AS "emailMessageId"
           FROM notifications WHERE learner_id = $1 AND id > $2 ORDER BY id LIMIT ${PAGE}`,
        [this.learnerId, after],
      );
      if (rows.length === 0) return;
      after = rows[rows.length - 1].id as string;
      yield rows;
    }
  }

  async requests(): Promise<Record<string, unknown>[]> {
    return this.em.query<Record<string, unknown>[]>(
      `SELECT id, kind, channel, details, identity_verification AS "identityVerification", received_at AS "receivedAt",
              original_due_at AS "originalDueAt", due_at AS "dueAt", extended_until AS "extendedUntil", extension_reason AS "extensionReason",
              status, answered_at AS "answeredAt", answer,
              (SELECT json_agg(json_build_object('kind', s.kind, 'at', s.created_at) ORDER BY s.id) FROM staff_alerts s WHERE s.request_id = r.id) AS "staffReminders"
         FROM data_subject_requests r WHERE learner_id = $1 ORDER BY id`,
      [this.learnerId],
    );
  }

  async profileChanges(): Promise<Record<string, unknown>[]> {
    return this.em.query<Record<string, unknown>[]>(
      `SELECT c.id, c.record, c.record_id AS "recordId", c.field,
              CASE WHEN c.changed_by LIKE 'learner:%' THEN 'LEARNER' WHEN c.changed_by LIKE 'employer:%' THEN 'EMPLOYER' ELSE 'PROVIDER' END AS "changedBy",
              CASE WHEN o.id IS NULL THEN NULL ELSE json_build_object('id', o.id, 'name', o.name) END AS "changedByOrganisation",
              c.changed_at AS "changedAt"
         FROM learner_changes c LEFT JOIN organisations o ON c.changed_by LIKE 'employer:%' AND o.id::text = substr(c.changed_by, 10)
        WHERE c.learner_id = $1 ORDER BY c.id`,
      [this.learnerId],
    );
  }

  /** Earlier exports (this one included, as PENDING): what was handed over, and when. */
  async exports(): Promise<Record<string, unknown>[]> {
    return this.em.query<Record<string, unknown>[]>(
      `SELECT id, status, created_at AS "createdAt", ready_at AS "readyAt", expires_at AS "expiresAt", request_id AS "requestId",
              json_sha256 AS "jsonSha256", pdf_sha256 AS "pdfSha256"
         FROM learner_exports WHERE learner_id = $1 ORDER BY id`,
      [this.learnerId],
    );
  }

  /** The newest signed checkpoint of the ledger: with it the learner can later show that no entry about them vanished. */
  async ledgerCheckpoint(): Promise<Record<string, unknown> | null> {
    const [row] = await this.em.query<Record<string, unknown>[]>(
      `SELECT id::text, created_at AS "createdAt", heads, kid, signature FROM ledger_checkpoints ORDER BY id DESC LIMIT 1`,
    );
    return row ?? null;
  }

  named(id: string): Named {
    return { id, name: this.names.get(id) ?? '?' };
  }

  /** Organisation names and course titles, fetched once each (a history names few of them). */
  private async loadNames(orgIds: string[], courseIds: string[]): Promise<void> {
    const orgs = [...new Set(orgIds)].filter((id) => !this.names.has(id));
    const courses = [...new Set(courseIds)].filter((id) => !this.names.has(id));
    if (orgs.length) for (const o of await this.em.query<{ id: string; name: string }[]>(`SELECT id, name FROM organisations WHERE id = ANY($1::uuid[])`, [orgs])) this.names.set(o.id, o.name);
    if (courses.length) for (const c of await this.em.query<{ id: string; title: string }[]>(`SELECT id, title FROM courses WHERE id = ANY($1::uuid[])`, [courses])) this.names.set(c.id, c.title);
  }
}
