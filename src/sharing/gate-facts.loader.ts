import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AssessmentResultEntity } from '../enrolments/assessment-result.entity';
import { CertificateEntity } from '../enrolments/certificate.entity';
import { CourseEntity } from '../enrolments/course.entity';
import { EnrolmentEntity } from '../enrolments/enrolment.entity';
import { mandateInForceSql } from '../organisations/mandate-in-force.sql';
import { amsterdamDate, type FactAgreement, type FactMandate, type GateFacts } from './gate-facts';
import type { Recipient } from './sharing-rules';

export interface LoadedPage {
  facts: GateFacts;
  /** Every enrolment of the page's learners (the view decides which are listed). */
  enrolments: EnrolmentEntity[];
  /** Results, certificates and courses of those enrolments, when the query asked for them. */
  extras: PageExtras;
  /** Visible learners of the page, in keyset order, with their identity fields. */
  learners: VisibleLearnerRow[];
  /** More visible learners follow the page. */
  hasMore: boolean;
}

export interface VisibleLearnerRow {
  id: string;
  name: string;
  email: string;
  locale: 'nl' | 'en';
  externalSubjectId: string | null;
  erasedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * "Now" is the database clock at the start of the page query, also for the facts queries after it.
 * Withdrawals, objections and restrictions are stamped with the database clock too, so a request
 * that starts after one commits always sees it, whatever the API hosts' clocks say.
 */
const NOW = 'statement_timestamp()';
const MANDATE_IN_FORCE = mandateInForceSql('m', NOW);
// "In force" includes the common conditions of DESIGN §4: no active restriction, not erased.
const AGREEMENT_IN_FORCE = `x.superseded_at IS NULL AND (x.revoked_at IS NULL OR x.revoked_at > ${NOW}) AND x.valid_from <= ${NOW} AND (x.valid_until IS NULL OR x.valid_until > ${NOW})
  AND NOT EXISTS (SELECT 1 FROM restrictions r WHERE r.learner_id = x.learner_id AND r.requested_at <= ${NOW} AND (r.lifted_at IS NULL OR r.lifted_at > ${NOW}))
  AND NOT EXISTS (SELECT 1 FROM learners e WHERE e.id = x.learner_id AND e.erased_at IS NOT NULL AND e.erased_at <= ${NOW})`;

/**
 * Loads, for one page of learners visible to a recipient, every fact the rules need — in a fixed
 * number of queries whatever the page size (DESIGN §3 rule 4): the page itself, the broker's
 * mandates, then employments, enrolments, agreements, objections and restrictions of the page.
 */
@Injectable()
export class GateFactsLoader {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Visibility (DESIGN §3 rule 3, §4): an employer sees learners it has any employment record
   * for; a broker the learners it enrolled under a mandate in force; any recipient the learners
   * of a STUDY_CONTRACT or CONSENT agreement in force naming it. Each branch walks an index in id
   * order and stops at `limit`, so a page costs the same at the start and at the end.
   */
  async page(recipient: Recipient, opts: { after?: string; limit: number; learnerIds?: string[]; include?: PageIncludes }): Promise<LoadedPage> {
    const params: unknown[] = [recipient.id, opts.after ?? '00000000-0000-0000-0000-000000000000', opts.limit + 1];
    const only = opts.learnerIds ? `AND x.learner_id = ANY($4::uuid[])` : '';
    if (opts.learnerIds) params.push(opts.learnerIds);
    const branches = [
      `(SELECT DISTINCT x.learner_id FROM sharing_agreements x
         WHERE x.recipient_id = $1 AND x.learner_id > $2 ${only} AND x.basis IN ('STUDY_CONTRACT', 'CONSENT') AND ${AGREEMENT_IN_FORCE}
         ORDER BY x.learner_id LIMIT $3)`,
    ];
    if (recipient.kind === 'EMPLOYER') {
      branches.push(`(SELECT DISTINCT x.learner_id FROM employments x WHERE x.employer_id = $1 AND x.learner_id > $2 ${only} ORDER BY x.learner_id LIMIT $3)`);
    } else {
      branches.push(`(SELECT DISTINCT x.learner_id FROM enrolments x
          JOIN broker_mandates m ON m.broker_id = $1 AND m.employer_id = x.sponsor_employer_id AND ${MANDATE_IN_FORCE}
         WHERE x.enrolled_by_id = $1 AND x.learner_id > $2 ${only} ORDER BY x.learner_id LIMIT $3)`);
    }
    const rows: (VisibleLearnerRow & { dbNow: string; dbNowDate: Date })[] = await this.dataSource.query(
      `SELECT l.id, l.name, l.email, l.locale, l.external_subject_id AS "externalSubjectId", l.erased_at AS "erasedAt",
              l.created_at AS "createdAt", l.updated_at AS "updatedAt", ${NOW}::text AS "dbNow", ${NOW} AS "dbNowDate"
         FROM learners l
        WHERE l.id IN (SELECT learner_id FROM (${branches.join(' UNION ')}) v)
        ORDER BY l.id LIMIT $3`,
      params,
    );
    const hasMore = rows.length > opts.limit;
    const learners = rows.slice(0, opts.limit);
    // Kept as text too: JS dates drop the microseconds PostgreSQL compares with.
    const now = rows[0] ? { text: rows[0].dbNow, date: rows[0].dbNowDate } : { text: new Date().toISOString(), date: new Date() };
    const facts = await this.facts(recipient, now, learners, opts.include);
    return { learners, hasMore, facts, enrolments: facts.enrolments, extras: facts.extras };
  }

  /**
   * The same facts for given learners whether or not the recipient can see them: for provider
   * staff and the learner asking "what could this recipient see of me?" (explain).
   */
  async forLearners(recipient: Recipient, learnerIds: string[]): Promise<LoadedPage> {
    const rows: (VisibleLearnerRow & { dbNow: string; dbNowDate: Date })[] = await this.dataSource.query(
      `SELECT l.id, l.name, l.email, l.locale, l.external_subject_id AS "externalSubjectId", l.erased_at AS "erasedAt",
              l.created_at AS "createdAt", l.updated_at AS "updatedAt", ${NOW}::text AS "dbNow", ${NOW} AS "dbNowDate"
         FROM learners l WHERE l.id = ANY($1::uuid[]) ORDER BY l.id`,
      [learnerIds],
    );
    const now = rows[0] ? { text: rows[0].dbNow, date: rows[0].dbNowDate } : { text: new Date().toISOString(), date: new Date() };
    const facts = await this.facts(recipient, now, rows);
    return { learners: rows, hasMore: false, facts, enrolments: facts.enrolments, extras: facts.extras };
  }

  /**
   * Every fact about the page in ONE round trip: mandates (brokers), employments, enrolments,
   * agreements, objections and restrictions as JSON columns — and, when the query selects them,
   * the results, certificates and courses of the page's enrolments, which prime the request's
   * DataLoaders so the field resolvers need no query of their own.
   */
  private async facts(
    recipient: Recipient,
    at: { text: string; date: Date },
    learners: VisibleLearnerRow[],
    include: PageIncludes = {},
  ): Promise<GateFacts & { enrolments: EnrolmentEntity[]; extras: PageExtras }> {
    const now = at.date;
    const ids = learners.map((l) => l.id);
    const empty: FactsRow = { mandates: [], employments: [], enrolments: [], agreements: [], objections: [], restricted: [], results: null, certificates: null, courses: null };
    const optional = (flag: boolean | undefined, sql: string) => (flag ? sql : 'NULL::json');
    const [row] = ids.length
      ? await this.dataSource.query<FactsRow[]>(
          `WITH m AS (SELECT * FROM broker_mandates WHERE broker_id = $3 AND $4),
                -- a broker reads through the views of the employers that mandated it
                r AS (SELECT $3::uuid AS id UNION SELECT employer_id FROM m),
                e AS (SELECT * FROM enrolments WHERE learner_id = ANY($1::uuid[]))
           SELECT
             (SELECT coalesce(json_agg(json_build_object('id', id, 'brokerId', broker_id, 'employerId', employer_id, 'validFrom', valid_from,
                       'validUntil', valid_until, 'revokedAt', revoked_at, 'permissions', permissions, 'categories', categories)), '[]') FROM m) AS mandates,
             (SELECT coalesce(json_agg(json_build_object('learnerId', learner_id, 'employerId', employer_id, 'employeeNumber', employee_number,
                       'startedOn', to_char(started_on, 'YYYY-MM-DD'), 'endedOn', to_char(ended_on, 'YYYY-MM-DD'))), '[]')
                FROM employments WHERE learner_id = ANY($1::uuid[]) AND employer_id IN (SELECT id FROM r)) AS employments,
             (SELECT coalesce(json_agg(e ORDER BY e.learner_id, e.id), '[]') FROM e) AS enrolments,
             (SELECT coalesce(json_agg(json_build_object('id', id, 'agreementId', agreement_id, 'version', version, 'recipientId', recipient_id,
                       'basis', basis, 'categories', categories, 'learnerId', learner_id, 'courseIds', course_ids, 'validFrom', valid_from,
                       'validUntil', valid_until, 'createdAt', created_at, 'revokedAt', revoked_at)), '[]')
                FROM sharing_agreements WHERE superseded_at IS NULL AND recipient_id IN (SELECT id FROM r)
                 AND (learner_id IS NULL OR learner_id = ANY($1::uuid[]))) AS agreements,
             (SELECT coalesce(json_agg(json_build_object('learnerId', learner_id, 'recipientId', recipient_id)), '[]') FROM objections
               WHERE learner_id = ANY($1::uuid[]) AND objected_at <= $2 AND (lifted_at IS NULL OR lifted_at > $2)) AS objections,
             (SELECT coalesce(json_agg(learner_id), '[]') FROM restrictions
               WHERE learner_id = ANY($1::uuid[]) AND requested_at <= $2 AND (lifted_at IS NULL OR lifted_at > $2)) AS restricted,
             ${optional(include.results, `(SELECT coalesce(json_agg(x ORDER BY x.attempted_at, x.id), '[]') FROM assessment_results x WHERE x.enrolment_id IN (SELECT id FROM e))`)} AS results,
             ${optional(include.certificates, `(SELECT coalesce(json_agg(x ORDER BY x.issued_at, x.id), '[]') FROM certificates x WHERE x.enrolment_id IN (SELECT id FROM e))`)} AS certificates,
             ${optional(include.courses, `(SELECT coalesce(json_agg(x), '[]') FROM courses x WHERE x.id IN (SELECT course_id FROM e))`)} AS courses`,
          [ids, at.text, recipient.id, recipient.kind === 'BROKER'],
        )
      : [empty];
    const date = (v: string | null) => (v === null ? null : new Date(v));
    const objections = new Map<string, Set<string>>();
    for (const o of row.objections) objections.set(o.learnerId, (objections.get(o.learnerId) ?? new Set()).add(o.recipientId));
    const enrolments = row.enrolments.map(toEnrolment);
    return {
      now,
      today: amsterdamDate(now),
      learners: new Map(learners.map((l) => [l.id, { id: l.id, erasedAt: l.erasedAt }])),
      employments: row.employments,
      enrolments,
      agreements: row.agreements.map((a) => ({ ...a, validFrom: new Date(a.validFrom), validUntil: date(a.validUntil), createdAt: new Date(a.createdAt), revokedAt: date(a.revokedAt) })),
      mandates: row.mandates.map((m) => ({ ...m, validFrom: new Date(m.validFrom), validUntil: date(m.validUntil), revokedAt: date(m.revokedAt) })),
      objections,
      restricted: new Set(row.restricted),
      extras: {
        results: row.results ? groupBy(enrolments, row.results.map(toResult)) : undefined,
        certificates: row.certificates ? groupBy(enrolments, row.certificates.map(toCertificate)) : undefined,
        courses: row.courses ? new Map(row.courses.map((c) => [c.id, toCourse(c)])) : undefined,
      },
    };
  }
}

type Json<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] };
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of json_agg(table), mapped field by field below
type Snake = Record<string, any>;

interface FactsRow {
  mandates: Json<FactMandate>[];
  employments: GateFacts['employments'];
  enrolments: Snake[];
  agreements: Json<FactAgreement>[];
  objections: { learnerId: string; recipientId: string }[];
  restricted: string[];
  results: Snake[] | null;
  certificates: Snake[] | null;
  courses: Snake[] | null;
}

/** What the query selects beyond the gate's own facts (loaded in the same round trip). */
export interface PageIncludes {
  results?: boolean;
  certificates?: boolean;
  courses?: boolean;
}

export interface PageExtras {
  results?: Map<string, AssessmentResultEntity[]>;
  certificates?: Map<string, CertificateEntity[]>;
  courses?: Map<string, CourseEntity>;
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const when = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));

/** Rows of json_agg(table) come with snake_case keys and ISO timestamps: map them as TypeORM would. */
function toEnrolment(r: Snake): EnrolmentEntity {
  return Object.assign(new EnrolmentEntity(), {
    id: r.id,
    learnerId: r.learner_id,
    courseId: r.course_id,
    sponsorEmployerId: r.sponsor_employer_id,
    enrolledById: r.enrolled_by_id,
    status: r.status,
    enrolledAt: new Date(r.enrolled_at),
    startsOn: r.starts_on,
    startedAt: when(r.started_at),
    completedAt: when(r.completed_at),
    progressPercent: r.progress_percent,
    timeSpentMinutes: r.time_spent_minutes,
    lastActivityAt: when(r.last_activity_at),
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  });
}

function toResult(r: Snake): AssessmentResultEntity {
  return Object.assign(new AssessmentResultEntity(), {
    id: r.id,
    enrolmentId: r.enrolment_id,
    assessmentName: r.assessment_name,
    attemptedAt: new Date(r.attempted_at),
    score: Number(r.score),
    maxScore: Number(r.max_score),
    passed: r.passed,
    createdAt: new Date(r.created_at),
  });
}

function toCertificate(r: Snake): CertificateEntity {
  return Object.assign(new CertificateEntity(), {
    id: r.id,
    enrolmentId: r.enrolment_id,
    number: r.number,
    issuedAt: new Date(r.issued_at),
    expiresAt: when(r.expires_at),
    accreditationPoints: num(r.accreditation_points),
    createdAt: new Date(r.created_at),
  });
}

function toCourse(r: Snake): CourseEntity {
  return Object.assign(new CourseEntity(), {
    id: r.id,
    code: r.code,
    title: r.title,
    accreditationBody: r.accreditation_body,
    accreditationPoints: num(r.accreditation_points),
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  });
}

/** Per enrolment of the page (every one, also those with none), in the rows' order. */
function groupBy<T extends { enrolmentId: string }>(enrolments: EnrolmentEntity[], rows: T[]): Map<string, T[]> {
  const map = new Map<string, T[]>(enrolments.map((e) => [e.id, []]));
  for (const r of rows) map.get(r.enrolmentId)?.push(r);
  return map;
}
