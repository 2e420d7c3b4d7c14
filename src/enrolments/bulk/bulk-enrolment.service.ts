import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { isEmail } from 'class-validator';
import { DataSource, type EntityManager } from 'typeorm';
import type { Actor } from '../../auth/actor';
import { isCalendarDate } from '../../common/calendar-date';
import { DomainError } from '../../common/errors/domain-error';
import { sha256Hex } from '../../common/hashing';
import { isUuid } from '../../common/uuid';
import { LOCALES, type Locale } from '../../common/locale';
import { LearnerNotifier } from '../../outbox/learner-notifier.service';
import { mandateInForceSql } from '../../organisations/mandate-in-force';
import { SharingAgreementService } from '../../sharing/agreements/sharing-agreement.service';
import { ALL_CATEGORIES, stampSql } from '../category-changes';
import { EnrolmentRequestEntity } from './enrolment-request.entity';
import type { EnrolLearnersInput, EnrolLearnersResultModel, EnrolmentOutcomeModel, EnrolmentRowInput, RowErrorModel } from './enrol-learners.model';

interface CleanRow {
  index: number;
  email: string;
  name: string;
  employeeNumber: string;
  locale: Locale;
  courseId: string;
  startDate: string;
}

/**
 * enrolLearners (docs/broker-integration.md): a broker with an ENROL mandate in force, or the employer itself, enrols
 * up to 1,000 employees at once. Set-based: a fixed number of queries whatever the batch size.
 * Valid rows commit together; rejected rows are reported with their fields; the same idempotency
 * key returns the same outcomes and writes nothing.
 */
@Injectable()
export class BulkEnrolmentService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly notifier: LearnerNotifier,
    private readonly agreements: SharingAgreementService,
  ) {}

  async enrol(actor: Actor, input: EnrolLearnersInput): Promise<EnrolLearnersResultModel> {
    const callerId = actor.organisationId!;
    const employerId = actor.kind === 'EMPLOYER_CLIENT' ? (input.employerId ?? callerId) : input.employerId;
    if (!employerId) throw DomainError.badInput('input.employerId', 'is required for a broker');
    if (actor.kind === 'EMPLOYER_CLIENT' && employerId !== callerId) throw DomainError.badInput('input.employerId', 'an employer enrols its own employees');
    const requestHash = sha256Hex(
      JSON.stringify({ employerId, rows: input.rows.map((r) => [r.email, r.name, r.employeeNumber, r.locale ?? null, r.courseCode, r.startDate]) }),
    );

    return this.dataSource.transaction(async (em) => {
      // Identical concurrent requests queue here; the second finds the first's answer.
      await em.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`enrol:${callerId}:${input.idempotencyKey}`]);
      const previous = await em.getRepository(EnrolmentRequestEntity).findOneBy({ callerOrganisationId: callerId, idempotencyKey: input.idempotencyKey });
      if (previous) {
        if (previous.requestHash !== requestHash) throw DomainError.badInput('input.idempotencyKey', 'was already used for a different request');
        return { replayed: true, outcomes: previous.outcomes as EnrolmentOutcomeModel[] };
      }
      await this.assertMayEnrol(em, actor, employerId);
      // Batches for one employer run one at a time, so two batches naming the same new person
      // cannot both create them.
      await em.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`enrol-employer:${employerId}`]);
      const { outcomes, created } = await this.process(em, employerId, callerId, input.rows);
      await em.getRepository(EnrolmentRequestEntity).insert({ callerOrganisationId: callerId, idempotencyKey: input.idempotencyKey, requestHash, outcomes });
      // The learner is told who enrolled them, for which employer and course (docs/ledger-and-notifications.md, "Information duties").
      const byCourse = new Map<string, string[]>();
      for (const c of created) byCourse.set(c.courseId, [...(byCourse.get(c.courseId) ?? []), c.learnerId]);
      for (const [courseId, learnerIds] of byCourse) {
        await this.notifier.inform(em, learnerIds, 'ENROLLED', { recipientId: callerId, employerId, courseId });
      }
      return { replayed: false, outcomes };
    });
  }

  /**
   * Withdraw an enrolment: the employer that sponsors it, or the broker that made it under an ENROL
   * mandate in force from that employer. Anything else answers like an unknown enrolment.
   */
  async withdraw(actor: Actor, enrolmentId: string): Promise<string> {
    const [row] = isUuid(enrolmentId)
      ? await this.dataSource.query<{ id: string }[]>(
          `SELECT e.id FROM enrolments e
            WHERE e.id = $1 AND e.status IN ('ENROLLED', 'IN_PROGRESS', 'WITHDRAWN') AND (
              ($3 = 'EMPLOYER_CLIENT' AND e.sponsor_employer_id = $2)
              OR ($3 = 'BROKER_CLIENT' AND e.enrolled_by_id = $2 AND EXISTS (
                    SELECT 1 FROM broker_mandates m WHERE m.broker_id = $2 AND m.employer_id = e.sponsor_employer_id
                       AND 'ENROL' = ANY(m.permissions) AND ${mandateInForceSql('m')})))`,
          [enrolmentId, actor.organisationId, actor.kind],
        )
      : [];
    if (!row) throw DomainError.notFound('Enrolment');
    // Withdrawing changes the (generalised) status only: these rows are never COMPLETED.
    // Only from ENROLLED or IN_PROGRESS, checked again here: one completed meanwhile stays completed.
    await this.dataSource.query(`UPDATE enrolments SET status = 'WITHDRAWN', changed_at = ${stampSql(2)}, updated_at = now() WHERE id = $1 AND status IN ('ENROLLED', 'IN_PROGRESS')`, [
      row.id,
      ['ENROLMENT_STATUS'],
    ]);
    return row.id;
  }

  /** A broker needs a mandate in force with ENROL from this employer; an employer enrols its own. */
  private async assertMayEnrol(em: EntityManager, actor: Actor, employerId: string): Promise<void> {
    const [employer] = await em.query<{ kind: string }[]>(`SELECT kind FROM organisations WHERE id = $1`, [employerId]);
    if (actor.kind === 'EMPLOYER_CLIENT') return;
    const [mandate] = await em.query<{ id: string }[]>(
      `SELECT id FROM broker_mandates m WHERE m.broker_id = $1 AND m.employer_id = $2 AND 'ENROL' = ANY(m.permissions)
          AND ${mandateInForceSql('m')} LIMIT 1`,
      [actor.organisationId, employerId],
    );
    // Unknown employer and employer without mandate read the same: no probing for employers.
    if (!employer || employer.kind !== 'EMPLOYER' || !mandate) {
      throw DomainError.badInput('input.employerId', 'no mandate with ENROL is in force from this employer');
    }
  }

  private async process(em: EntityManager, employerId: string, enrolledById: string, rows: EnrolmentRowInput[]) {
    const outcomes: EnrolmentOutcomeModel[] = rows.map((_, row) => ({ row, outcome: 'REJECTED', learnerId: null, enrolmentId: null, errors: [] }));
    const reject = (i: number, field: string, message: string) => outcomes[i].errors.push({ field, message } satisfies RowErrorModel);

    const codes = [...new Set(rows.map((r) => r.courseCode.trim()))];
    const courses = new Map(
      (await em.query<{ id: string; code: string }[]>(`SELECT id, code FROM courses WHERE code = ANY($1::text[])`, [codes])).map((c) => [c.code, c.id]),
    );

    // 1. each row on its own
    const clean: CleanRow[] = [];
    const seenNumber = new Map<string, number>();
    const seenEmail = new Map<string, number>();
    rows.forEach((r, i) => {
      const email = r.email.trim().toLowerCase();
      const name = r.name.trim();
      const employeeNumber = r.employeeNumber.trim();
      const locale = r.locale ?? 'nl';
      if (!isEmail(email) || email.length > 320) reject(i, 'email', 'is not a valid email address');
      if (name.length === 0 || name.length > 200) reject(i, 'name', 'must be 1 to 200 characters');
      if (employeeNumber.length === 0 || employeeNumber.length > 64) reject(i, 'employeeNumber', 'must be 1 to 64 characters');
      if (!(LOCALES as readonly string[]).includes(locale)) reject(i, 'locale', 'must be nl or en');
      if (!isCalendarDate(r.startDate)) reject(i, 'startDate', 'must be a calendar date YYYY-MM-DD');
      const courseId = courses.get(r.courseCode.trim());
      if (!courseId) reject(i, 'courseCode', 'no such course');
      if (seenNumber.has(employeeNumber) && seenEmail.get(email) !== seenNumber.get(employeeNumber)) {
        reject(i, 'employeeNumber', `is used for another person in row ${seenNumber.get(employeeNumber)}`);
      }
      if (seenEmail.has(email) && seenNumber.get(employeeNumber) !== seenEmail.get(email)) {
        reject(i, 'email', `is used for another person in row ${seenEmail.get(email)}`);
      }
      if (outcomes[i].errors.length > 0) return;
      if (!seenNumber.has(employeeNumber)) seenNumber.set(employeeNumber, i);
      if (!seenEmail.has(email)) seenEmail.set(email, i);
      clean.push({ index: i, email, name, employeeNumber, locale, courseId: courseId!, startDate: r.startDate });
    });

    // 2. who is who: by employee number at this employer, then by email
    const [byNumberRows, byEmailRows] = await Promise.all([
      em.query<{ number: string; learnerId: string }[]>(
        `SELECT employee_number AS number, learner_id AS "learnerId" FROM employments WHERE employer_id = $1 AND employee_number = ANY($2::text[])`,
        [employerId, clean.map((r) => r.employeeNumber)],
      ),
      em.query<{ email: string; id: string; number: string | null }[]>(
        `SELECT l.id, l.email, (SELECT e.employee_number FROM employments e WHERE e.learner_id = l.id AND e.employer_id = $1 LIMIT 1) AS number
           FROM learners l WHERE l.email = ANY($2::text[])`,
        [employerId, clean.map((r) => r.email)],
      ),
    ]);
    const byNumber = new Map(byNumberRows.map((r) => [r.number, r.learnerId]));
    const byEmail = new Map(byEmailRows.map((r) => [r.email, r]));
    const newLearners = new Map<string, CleanRow & { id: string }>();
    const needEmployment = new Map<string, CleanRow>();
    const resolved: (CleanRow & { learnerId: string })[] = [];
    for (const r of clean) {
      const numbered = byNumber.get(r.employeeNumber);
      const emailed = byEmail.get(r.email);
      if (numbered && emailed && numbered !== emailed.id) {
        reject(r.index, 'email', 'belongs to another person than this employee number');
        continue;
      }
      if (!numbered && emailed?.number && emailed.number !== r.employeeNumber) {
        reject(r.index, 'employeeNumber', 'differs from the employee number on record for this email');
        continue;
      }
      // A person the employer has no relation with — new, or with an account of their own — is
      // answered the same way (CREATED) and recorded the same way: the employment is the
      // employer's claim until provider staff confirm it. So a batch cannot probe who has an
      // account here, and a claim never opens a person's own courses to the employer
      // (employment.entity.ts).
      let learnerId = numbered ?? emailed?.id ?? newLearners.get(r.email)?.id;
      if (!learnerId) {
        learnerId = randomUUID();
        newLearners.set(r.email, { ...r, id: learnerId });
      }
      if (!numbered && !emailed?.number && !needEmployment.has(learnerId)) needEmployment.set(learnerId, r);
      resolved.push({ ...r, learnerId });
    }

    // 3. already enrolled? (a live enrolment on the course, or the same pair earlier in the batch)
    const live = await em.query<{ id: string; learnerId: string; courseId: string; sponsor: string | null }[]>(
      `SELECT id, learner_id AS "learnerId", course_id AS "courseId", sponsor_employer_id AS sponsor FROM enrolments
        WHERE learner_id = ANY($1::uuid[]) AND sponsor_employer_id = $2 AND status <> 'WITHDRAWN'`,
      [[...new Set(resolved.map((r) => r.learnerId))], employerId],
    );
    // Only the employer's own live enrolments count: one the learner has privately or through
    // someone else neither blocks this one nor is named (docs/sharing-rules.md rule 12).
    const liveByPair = new Map(live.filter((e) => e.sponsor === employerId).map((e) => [`${e.learnerId}|${e.courseId}`, e.id]));
    const newEnrolments: (CleanRow & { learnerId: string; id: string })[] = [];
    for (const r of resolved) {
      const key = `${r.learnerId}|${r.courseId}`;
      const existing = liveByPair.get(key);
      Object.assign(outcomes[r.index], { learnerId: r.learnerId, enrolmentId: existing ?? null, outcome: existing ? 'ALREADY_ENROLLED' : 'CREATED' });
      if (existing) continue;
      const id = randomUUID();
      liveByPair.set(key, id);
      outcomes[r.index].enrolmentId = id;
      newEnrolments.push({ ...r, id });
    }

    // 4. write, set-based
    const learners = [...newLearners.values()];
    if (learners.length) {
      await em.query(`INSERT INTO learners (id, name, email, locale) SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::locale[])`, [
        learners.map((l) => l.id),
        learners.map((l) => l.name),
        learners.map((l) => l.email),
        learners.map((l) => l.locale),
      ]);
    }
    if (needEmployment.size) {
      // The first day employed is not in the batch; today (Amsterdam, database clock) is the earliest we know of.
      await em.query(
        `INSERT INTO employments (learner_id, employer_id, employee_number, started_on, claimed_name)
         SELECT l, $2, n, (now() AT TIME ZONE 'Europe/Amsterdam')::date, c FROM unnest($1::uuid[], $3::text[], $4::text[]) AS x(l, n, c)`,
        [
          [...needEmployment.keys()],
          employerId,
          [...needEmployment.values()].map((r) => r.employeeNumber),
          [...needEmployment.values()].map((r) => r.name),
        ],
      );
      await this.agreements.informNewEmployee(em, [...needEmployment.keys()], employerId);
    }
    if (newEnrolments.length) {
      await em.query(
        `INSERT INTO enrolments (id, learner_id, course_id, sponsor_employer_id, enrolled_by_id, status, enrolled_at, starts_on, changed_at)
         SELECT id, l, c, $4, $5, 'ENROLLED', now(), s, (SELECT jsonb_object_agg(k, now()) FROM unnest($7::text[]) k)
           FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $6::date[]) AS x(id, l, c, s)`,
        [
          newEnrolments.map((e) => e.id),
          newEnrolments.map((e) => e.learnerId),
          newEnrolments.map((e) => e.courseId),
          employerId,
          enrolledById,
          newEnrolments.map((e) => e.startDate),
          ALL_CATEGORIES,
        ],
      );
    }
    return { outcomes, created: newEnrolments.map((e) => ({ learnerId: e.learnerId, courseId: e.courseId })) };
  }
}
