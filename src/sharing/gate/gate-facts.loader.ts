import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { amsterdamDate } from '../../common/calendar-date';
import { nextTurn } from '../../common/graphql/in-turns';
import { jsonRows, type JsonRow, type JsonRows, type Lean, type StringsOfOneLoad } from '../../common/database/json-rows';
import { EnrolmentEntity } from '../../enrolments/enrolment.entity';
import { mandateInForceSql } from '../../organisations/mandate-in-force';
import { agreementInForceSql } from '../agreements/agreement-in-force';
import { basesWhere, sqlBasisList } from '../agreements/basis-rules';
import type { FactAgreement, FactMandate, GateFacts } from './gate-facts';
import type { Recipient } from './sharing-rules';
import { GATED_CONNECTION } from '../../common/database/gated-connection';

export interface LoadedPage {
  facts: GateFacts;
  /** Every enrolment of the page's learners (the view decides which are listed). */
  enrolments: Lean<EnrolmentEntity>[];
  /** The extra columns the caller asked for (see `PageExtraColumns`), as loaded: JSON rows. */
  extras: Record<string, JsonRow[]>;
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
const AGREEMENT_IN_FORCE = agreementInForceSql('x', NOW);
/** An erased learner is invisible to every recipient from the erasure on (docs/sharing-rules.md rule 7). */
const NOT_ERASED = `NOT EXISTS (SELECT 1 FROM learners z WHERE z.id = x.learner_id AND z.erased_at <= ${NOW})`;
/** The bases whose agreement in force lets its recipient see the learner (basis-rules.ts). */
const VISIBLE_BY_AGREEMENT = sqlBasisList(basesWhere((r) => r.makesLearnerVisible));

/**
 * Columns a caller adds to the facts statement, by name: SQL yielding JSON, which may read the
 * CTE `e` — every enrolment of the page's learners. The enrolments module uses this to bring a
 * page's results, certificates and courses in the same round trip (enrolments/page-children.ts);
 * the gate itself knows nothing of them.
 */
export type PageExtraColumns = Record<string, string>;

/**
 * Loads, for one page of learners visible to a recipient, every fact the rules need — in a fixed
 * number of queries whatever the page size (docs/sharing-rules.md rule 15): the page itself, then
 * one statement for the broker's mandates, employments, enrolments, agreements, objections and
 * restrictions of the page.
 */
@Injectable()
export class GateFactsLoader {
  private readonly enrolmentRows: JsonRows<EnrolmentEntity>;

  constructor(@InjectDataSource(GATED_CONNECTION) private readonly dataSource: DataSource) {
    this.enrolmentRows = jsonRows(dataSource, EnrolmentEntity);
  }

  /**
   * Visibility (docs/sharing-rules.md rule 3): an employer sees learners it has any employment
   * record for; a broker the learners it enrolled under a mandate in force; any recipient the
   * learners of an agreement in force naming it whose basis makes a learner visible (study
   * contract, consent). Each branch walks an index in id order and stops at `limit`, so a page
   * costs the same at the start and at the end.
   */
  async page(recipient: Recipient, opts: { after?: string; limit: number; learnerIds?: string[]; extras?: PageExtraColumns }): Promise<LoadedPage> {
    const params: unknown[] = [recipient.id, opts.after ?? '00000000-0000-0000-0000-000000000000', opts.limit + 1];
    const only = opts.learnerIds ? `AND x.learner_id = ANY($4::uuid[])` : '';
    if (opts.learnerIds) params.push(opts.learnerIds);
    const branches = [
      `(SELECT DISTINCT x.learner_id FROM sharing_agreements x
         WHERE x.recipient_id = $1 AND x.learner_id > $2 ${only} AND x.basis IN (${VISIBLE_BY_AGREEMENT}) AND ${AGREEMENT_IN_FORCE}
         ORDER BY x.learner_id LIMIT $3)`,
    ];
    if (recipient.kind === 'EMPLOYER') {
      branches.push(`(SELECT DISTINCT x.learner_id FROM employments x WHERE x.employer_id = $1 AND x.learner_id > $2 ${only} AND ${NOT_ERASED} ORDER BY x.learner_id LIMIT $3)`);
    } else {
      branches.push(`(SELECT DISTINCT x.learner_id FROM enrolments x
          JOIN broker_mandates m ON m.broker_id = $1 AND m.employer_id = x.sponsor_employer_id AND ${MANDATE_IN_FORCE}
         WHERE x.enrolled_by_id = $1 AND x.learner_id > $2 ${only} AND ${NOT_ERASED} ORDER BY x.learner_id LIMIT $3)`);
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
    // The extra rows apart from the facts: the view keeps the facts for the whole request, and
    // the raw rows are garbage once primed (what lives longer is copied by every collection).
    const { extras, ...facts } = await this.facts([recipient], now, learners, opts.extras);
    return { learners, hasMore, facts, enrolments: facts.enrolments, extras };
  }

  /**
   * The same facts for given learners whether or not the recipient can see them: for provider
   * staff and the learner asking "what could this recipient see of me?" (explain).
   */
  async forLearners(recipient: Recipient, learnerIds: string[]): Promise<LoadedPage> {
    const { rows, now } = await this.learnersAt(learnerIds);
    const { extras, ...facts } = await this.facts([recipient], now, rows);
    return { learners: rows, hasMore: false, facts, enrolments: facts.enrolments, extras };
  }

  /**
   * For events (docs/events.md, "Thin, gated events"): which recipients see each of these
   * learners — by the same three routes as `page` — and every fact about them for all those
   * recipients, in two statements whatever the number of learners and recipients. The rules then
   * decide per (recipient, enrolment, category) in memory, exactly as for a page.
   */
  async forEvents(learnerIds: string[]): Promise<{ visible: { recipient: Recipient; learnerId: string }[]; facts: GateFacts & { enrolments: Lean<EnrolmentEntity>[] } }> {
    const rows: { recipientId: string; kind: Recipient['kind']; learnerId: string; dbNow: string; dbNowDate: Date }[] = await this.dataSource.query(
      `WITH v AS (
         SELECT x.recipient_id, x.learner_id FROM sharing_agreements x
          WHERE x.learner_id = ANY($1::uuid[]) AND x.basis IN (${VISIBLE_BY_AGREEMENT}) AND ${AGREEMENT_IN_FORCE}
         UNION
         SELECT x.employer_id, x.learner_id FROM employments x WHERE x.learner_id = ANY($1::uuid[]) AND ${NOT_ERASED}
         UNION
         SELECT m.broker_id, x.learner_id FROM enrolments x
           JOIN broker_mandates m ON m.broker_id = x.enrolled_by_id AND m.employer_id = x.sponsor_employer_id AND ${MANDATE_IN_FORCE}
          WHERE x.learner_id = ANY($1::uuid[]) AND ${NOT_ERASED})
       SELECT v.recipient_id AS "recipientId", o.kind, v.learner_id AS "learnerId", ${NOW}::text AS "dbNow", ${NOW} AS "dbNowDate"
         FROM v JOIN organisations o ON o.id = v.recipient_id AND o.kind IN ('EMPLOYER', 'BROKER')`,
      [learnerIds],
    );
    const recipients = new Map<string, Recipient>();
    for (const r of rows) recipients.set(r.recipientId, { kind: r.kind, id: r.recipientId });
    const visible = rows.map((r) => ({ recipient: recipients.get(r.recipientId)!, learnerId: r.learnerId }));
    const seen = [...new Set(rows.map((r) => r.learnerId))];
    const learners: VisibleLearnerRow[] = seen.length
      ? await this.dataSource.query(
          `SELECT l.id, l.name, l.email, l.locale, l.external_subject_id AS "externalSubjectId", l.erased_at AS "erasedAt",
                  l.created_at AS "createdAt", l.updated_at AS "updatedAt" FROM learners l WHERE l.id = ANY($1::uuid[])`,
          [seen],
        )
      : [];
    const now = rows[0] ? { text: rows[0].dbNow, date: rows[0].dbNowDate } : { text: new Date().toISOString(), date: new Date() };
    const facts = await this.facts([...recipients.values()], now, learners);
    return { visible, facts };
  }

  /**
   * The same facts for recipients that received something of these learners, whether or not
   * they still see them: whether access ended (docs/events.md, "Access ended").
   */
  async forRecipients(recipients: Recipient[], learnerIds: string[]): Promise<GateFacts & { enrolments: Lean<EnrolmentEntity>[] }> {
    const { rows, now } = await this.learnersAt(learnerIds);
    return this.facts(recipients, now, rows);
  }

  /** Given learners (visible or not) and the database clock the facts are then read at. */
  private async learnersAt(learnerIds: string[]): Promise<{ rows: VisibleLearnerRow[]; now: { text: string; date: Date } }> {
    const rows: (VisibleLearnerRow & { dbNow: string; dbNowDate: Date })[] = await this.dataSource.query(
      `SELECT l.id, l.name, l.email, l.locale, l.external_subject_id AS "externalSubjectId", l.erased_at AS "erasedAt",
              l.created_at AS "createdAt", l.updated_at AS "updatedAt", ${NOW}::text AS "dbNow", ${NOW} AS "dbNowDate"
         FROM learners l WHERE l.id = ANY($1::uuid[]) ORDER BY l.id`,
      [learnerIds],
    );
    const now = rows[0] ? { text: rows[0].dbNow, date: rows[0].dbNowDate } : { text: new Date().toISOString(), date: new Date() };
    return { rows, now };
  }

  /**
   * Every fact about the page in one statement: mandates (brokers), employments, enrolments,
   * agreements, objections and restrictions as JSON columns — and the caller's extra columns in
   * a second one at the same time (below). For one recipient (a page) or several (events): every
   * fact is keyed by its recipient.
   */
  private async facts(
    recipients: Recipient[],
    at: { text: string; date: Date },
    learners: VisibleLearnerRow[],
    extraColumns: PageExtraColumns = {},
  ): Promise<GateFacts & { enrolments: Lean<EnrolmentEntity>[]; extras: Record<string, JsonRow[]> }> {
    const now = at.date;
    const ids = learners.map((l) => l.id);
    const extraNames = Object.keys(extraColumns);
    const empty: FactsRow = { mandates: [], employments: [], enrolments: [], agreements: [], objections: [], restricted: [], ...Object.fromEntries(extraNames.map((n) => [`x_${n}`, []])) };
    const params = [ids, at.text, recipients.map((r) => r.id), recipients.filter((r) => r.kind === 'BROKER').map((r) => r.id)];
    // The extra rows (a page's results, certificates, courses) in a statement of their own, sent
    // at the same time on a second connection: PostgreSQL makes both at once, on two cores,
    // instead of one after the other in one backend — the facts arrive ~10 ms sooner on a
    // 500-learner page (docs/benchmarks.md, "Round 3, tenth session"). What the gate decides on
    // is all in the first statement; the second brings only values its decisions govern, so
    // that a result recorded between the two is shown (if its category is allowed) as it would
    // be a moment later, and one of an enrolment the first did not see is never shown.
    const extras = ids.length && extraNames.length
      ? this.dataSource.query<Record<string, string>[]>(
          `WITH e AS (SELECT id, course_id FROM enrolments WHERE learner_id = ANY($1::uuid[]))
           SELECT ${extraNames.map((n) => `(${extraColumns[n]})::text AS "x_${n}"`).join(', ')}`,
          [ids],
        )
      : undefined;
    const factsSql = `WITH m AS (SELECT * FROM broker_mandates WHERE broker_id = ANY($4::uuid[])),
                -- a broker reads through the views of the employers that mandated it
                r AS (SELECT unnest($3::uuid[]) AS id UNION SELECT employer_id FROM m),
                e AS (SELECT * FROM enrolments WHERE learner_id = ANY($1::uuid[]))
           SELECT
             (SELECT coalesce(json_agg(json_build_object('id', id, 'brokerId', broker_id, 'employerId', employer_id, 'validFrom', valid_from,
                       'validUntil', valid_until, 'revokedAt', revoked_at, 'permissions', permissions, 'categories', categories)), '[]') FROM m)::text AS mandates,
             (SELECT coalesce(json_agg(json_build_object('learnerId', learner_id, 'employerId', employer_id, 'employeeNumber', employee_number,
                       'startedOn', to_char(started_on, 'YYYY-MM-DD'), 'endedOn', to_char(ended_on, 'YYYY-MM-DD'), 'claimedName', claimed_name)), '[]')
                FROM employments WHERE learner_id = ANY($1::uuid[]) AND employer_id IN (SELECT id FROM r))::text AS employments,
             (SELECT coalesce(json_agg(${this.enrolmentRows.select('e')} ORDER BY e.learner_id, e.id), '[]') FROM e)::text AS enrolments,
             (SELECT coalesce(json_agg(json_build_object('id', id, 'agreementId', agreement_id, 'version', version, 'recipientId', recipient_id,
                       'basis', basis, 'categories', categories, 'learnerId', learner_id, 'courseIds', course_ids, 'validFrom', valid_from,
                       'validUntil', valid_until, 'createdAt', created_at, 'revokedAt', revoked_at)), '[]')
                FROM sharing_agreements WHERE superseded_at IS NULL AND recipient_id IN (SELECT id FROM r)
                 AND (learner_id IS NULL OR learner_id = ANY($1::uuid[])))::text AS agreements,
             (SELECT coalesce(json_agg(json_build_object('learnerId', learner_id, 'recipientId', recipient_id)), '[]') FROM objections
               WHERE learner_id = ANY($1::uuid[]) AND objected_at <= $2 AND (lifted_at IS NULL OR lifted_at > $2))::text AS objections,
             (SELECT coalesce(json_agg(learner_id), '[]') FROM restrictions
               WHERE learner_id = ANY($1::uuid[]) AND requested_at <= $2 AND (lifted_at IS NULL OR lifted_at > $2))::text AS restricted`;
    const [factsText, extrasText] = ids.length
      ? await Promise.all([this.dataSource.query<Record<string, string>[]>(factsSql, params), extras])
      : [undefined, undefined];
    const [row] = factsText ? await parsedInTurns<FactsRow>(factsText) : [empty];
    if (extrasText) Object.assign(row, (await parsedInTurns<FactsRow>(extrasText))[0]);
    const date = (v: string | null) => (v === null ? null : new Date(v));
    const objections = new Map<string, Set<string>>();
    for (const o of row.objections) objections.set(o.learnerId, (objections.get(o.learnerId) ?? new Set()).add(o.recipientId));
    // The page's learners' ids first, so that each enrolment names its learner by the same string.
    const strings: StringsOfOneLoad = new Map(learners.map((l) => [l.id, l.id]));
    const enrolments = row.enrolments.map((r) => this.enrolmentRows.map(r, strings));
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
      extras: Object.fromEntries(extraNames.map((n) => [n, row[`x_${n}`] as JsonRow[]])),
    };
  }
}

type Json<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] };

interface FactsRow {
  mandates: Json<FactMandate>[];
  employments: GateFacts['employments'];
  enrolments: JsonRow[];
  agreements: Json<FactAgreement>[];
  objections: { learnerId: string; recipientId: string }[];
  restricted: string[];
  /** The caller's extra columns, as `x_<name>`. */
  [extra: `x_${string}`]: unknown;
}

/** Columns at least this long are parsed in a turn of the event loop of their own. */
const LONG_JSON = 64 * 1024;

/**
 * The facts row's JSON columns, read as text and parsed here, the long ones (a page's enrolments,
 * results, certificates: a megabyte or more) each in a turn of its own: parsed by the driver, the
 * whole row would be one block of the event loop (docs/benchmarks.md, "The longest event-loop block").
 */
async function parsedInTurns<T>(rows: Record<string, string>[]): Promise<T[]> {
  const out: T[] = [];
  for (const row of rows) {
    const parsed: Record<string, unknown> = {};
    for (const [column, text] of Object.entries(row)) {
      if (text.length >= LONG_JSON) await nextTurn();
      parsed[column] = JSON.parse(text);
    }
    out.push(parsed as T);
  }
  return out;
}
