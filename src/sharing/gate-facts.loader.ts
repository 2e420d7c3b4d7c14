import { anyOf } from '../common/any-of';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { EnrolmentEntity } from '../enrolments/enrolment.entity';
import type { DisclosureCategory } from '../common/disclosure-category';
import type { MandatePermission } from '../organisations/mandate-permission';
import { amsterdamDate, type FactAgreement, type FactMandate, type GateFacts } from './gate-facts';
import type { Recipient } from './sharing-rules';

export interface LoadedPage {
  facts: GateFacts;
  /** Every enrolment of the page's learners (the view decides which are listed). */
  enrolments: EnrolmentEntity[];
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
const MANDATE_IN_FORCE = `(m.revoked_at IS NULL OR m.revoked_at > ${NOW}) AND m.valid_from <= ${NOW} AND (m.valid_until IS NULL OR m.valid_until > ${NOW})`;
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
  async page(recipient: Recipient, opts: { after?: string; limit: number; learnerIds?: string[] }): Promise<LoadedPage> {
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
    const facts = await this.facts(recipient, now, learners);
    return { learners, hasMore, facts, enrolments: facts.enrolments };
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
    return { learners: rows, hasMore: false, facts, enrolments: facts.enrolments };
  }

  private async facts(recipient: Recipient, at: { text: string; date: Date }, learners: VisibleLearnerRow[]): Promise<GateFacts & { enrolments: EnrolmentEntity[] }> {
    const now = at.date;
    const ids = learners.map((l) => l.id);
    const mandates = recipient.kind === 'BROKER' ? await this.mandates(recipient.id) : [];
    // A broker reads through the views of the employers that mandated it.
    const recipients = [recipient.id, ...new Set(mandates.map((m) => m.employerId))];
    const [employments, enrolments, agreements, privacy] = ids.length
      ? await Promise.all([
          this.dataSource.query<GateFacts['employments']>(
            `SELECT learner_id AS "learnerId", employer_id AS "employerId", employee_number AS "employeeNumber",
                    to_char(started_on, 'YYYY-MM-DD') AS "startedOn",
                    to_char(ended_on, 'YYYY-MM-DD') AS "endedOn"
               FROM employments WHERE learner_id = ANY($1::uuid[]) AND employer_id = ANY($2::uuid[])`,
            [ids, recipients],
          ),
          this.dataSource.getRepository(EnrolmentEntity).find({ where: { learnerId: anyOf(ids) }, order: { learnerId: 'ASC', id: 'ASC' } }),
          this.agreements(recipients, ids),
          this.dataSource.query<{ kind: 'O' | 'R'; learnerId: string; recipientId: string | null }[]>(
            `SELECT 'O' AS kind, learner_id AS "learnerId", recipient_id AS "recipientId" FROM objections
              WHERE learner_id = ANY($1::uuid[]) AND objected_at <= $2 AND (lifted_at IS NULL OR lifted_at > $2)
             UNION ALL
             SELECT 'R', learner_id, NULL FROM restrictions
              WHERE learner_id = ANY($1::uuid[]) AND requested_at <= $2 AND (lifted_at IS NULL OR lifted_at > $2)`,
            [ids, at.text],
          ),
        ])
      : [[], [], [], []];
    const objections = new Map<string, Set<string>>();
    const restricted = new Set<string>();
    for (const p of privacy) {
      if (p.kind === 'R') restricted.add(p.learnerId);
      else objections.set(p.learnerId, (objections.get(p.learnerId) ?? new Set()).add(p.recipientId!));
    }
    return {
      now,
      today: amsterdamDate(now),
      learners: new Map(learners.map((l) => [l.id, { id: l.id, erasedAt: l.erasedAt }])),
      employments,
      enrolments,
      agreements,
      mandates,
      objections,
      restricted,
    };
  }

  private async mandates(brokerId: string): Promise<FactMandate[]> {
    const rows: (Omit<FactMandate, 'permissions' | 'categories'> & { permissions: string; categories: string })[] = await this.dataSource.query(
      `SELECT id, broker_id AS "brokerId", employer_id AS "employerId", valid_from AS "validFrom", valid_until AS "validUntil",
              revoked_at AS "revokedAt", permissions::text[] AS permissions, categories::text[] AS categories
         FROM broker_mandates WHERE broker_id = $1`,
      [brokerId],
    );
    return rows.map((r) => ({ ...r, permissions: pgArray(r.permissions) as MandatePermission[], categories: pgArray(r.categories) as DisclosureCategory[] }));
  }

  private async agreements(recipients: string[], learnerIds: string[]): Promise<FactAgreement[]> {
    const rows: (Omit<FactAgreement, 'categories'> & { categories: string })[] = await this.dataSource.query(
      `SELECT id, agreement_id AS "agreementId", version, recipient_id AS "recipientId", basis, categories::text[] AS categories,
              learner_id AS "learnerId", course_ids AS "courseIds", valid_from AS "validFrom", valid_until AS "validUntil",
              created_at AS "createdAt", revoked_at AS "revokedAt"
         FROM sharing_agreements
        WHERE superseded_at IS NULL AND recipient_id = ANY($1::uuid[])
          AND (learner_id IS NULL OR learner_id = ANY($2::uuid[]))`,
      [recipients, learnerIds],
    );
    return rows.map((r) => ({ ...r, basis: r.basis, categories: pgArray(r.categories) as DisclosureCategory[] }));
  }
}

/** node-postgres returns arrays of enum types as their text form `{A,B}`; arrays of text it parses. */
function pgArray(v: string | string[]): string[] {
  if (Array.isArray(v)) return v;
  const inner = v.replace(/^\{|\}$/g, '');
  return inner ? inner.split(',') : [];
}
