import { anyOf } from '../common/any-of';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import { jsonRows, loadJsonRows, type JsonRows, type Lean } from '../common/database/json-rows';
import { DomainError } from '../common/errors/domain-error';
import type { DisclosureCategory } from '../common/disclosure-category';
import type { ConnectionShape, PageArgs } from '../common/pagination/connection';
import { paginate } from '../common/pagination/keyset';
import { isUuid } from '../common/uuid';
import { LearnerEntity } from '../learners/learner.entity';
import { OrganisationService } from '../organisations/organisation.service';
import { AssessmentResultEntity } from './assessment-result.entity';
import { CertificateEntity } from './certificate.entity';
import { CourseEntity } from './course.entity';
import type {
  CreateCourseInput,
  CreateEnrolmentInput,
  EnrolmentsArgs,
  IssueCertificateInput,
  RecordAssessmentResultInput,
  RecordProgressInput,
  UpdateCourseInput,
} from './enrolment.inputs';
import { ALL_CATEGORIES, changedCategories, stampSql } from './category-changes';
import { EnrolmentEntity } from './enrolment.entity';

@Injectable()
export class EnrolmentService {
  /** Rows read as JSON arrays of their columns, mapped in turns (common/database/json-rows.ts). */
  private readonly rows: { enrolments: JsonRows<EnrolmentEntity>; results: JsonRows<AssessmentResultEntity>; certificates: JsonRows<CertificateEntity> };

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly organisations: OrganisationService,
  ) {
    this.rows = {
      enrolments: jsonRows(dataSource, EnrolmentEntity),
      results: jsonRows(dataSource, AssessmentResultEntity),
      certificates: jsonRows(dataSource, CertificateEntity),
    };
  }

  private get courses() {
    return this.dataSource.getRepository(CourseEntity);
  }

  private get enrolments() {
    return this.dataSource.getRepository(EnrolmentEntity);
  }

  // --- courses (the catalogue is not personal data) ------------------------------------------

  listCourses(args: PageArgs): Promise<ConnectionShape<CourseEntity>> {
    return paginate(this.courses.createQueryBuilder('c'), args);
  }

  async getCourse(id: string): Promise<CourseEntity> {
    const course = isUuid(id) ? await this.courses.findOneBy({ id }) : null;
    if (!course) throw DomainError.notFound('Course');
    return course;
  }

  async createCourse(input: CreateCourseInput): Promise<CourseEntity> {
    if (await this.courses.existsBy({ code: input.code })) throw DomainError.badInput('input.code', 'is already in use');
    const course = this.courses.create({
      ...input,
      accreditationBody: input.accreditationBody ?? null,
      accreditationPoints: input.accreditationPoints ?? null,
    });
    await this.courses.insert(course);
    return course;
  }

  async updateCourse(id: string, input: UpdateCourseInput): Promise<CourseEntity> {
    const course = await this.getCourse(id);
    for (const [k, v] of Object.entries(input)) if (v !== undefined) Object.assign(course, { [k]: v });
    return this.courses.save(course);
  }

  async coursesByIds(ids: readonly string[]): Promise<Map<string, CourseEntity>> {
    const rows = ids.length ? await this.courses.findBy({ id: anyOf(ids) }) : [];
    return new Map(rows.map((c) => [c.id, c]));
  }

  // --- enrolments ----------------------------------------------------------------------------

  listEnrolments(args: EnrolmentsArgs): Promise<ConnectionShape<EnrolmentEntity>> {
    const qb = this.enrolments.createQueryBuilder('e');
    if (args.learnerId) qb.andWhere('e.learner_id = :learnerId', { learnerId: args.learnerId });
    if (args.courseId) qb.andWhere('e.course_id = :courseId', { courseId: args.courseId });
    return paginate(qb, args);
  }

  async getEnrolment(id: string, em: EntityManager = this.dataSource.manager): Promise<EnrolmentEntity> {
    const enrolment = isUuid(id) ? await em.getRepository(EnrolmentEntity).findOneBy({ id }) : null;
    if (!enrolment) throw DomainError.notFound('Enrolment');
    return enrolment;
  }

  async createEnrolment(input: CreateEnrolmentInput, enrolledById: string): Promise<EnrolmentEntity> {
    // An erased learner is no learner any more: nothing is collected about them again (docs/retention.md).
    if (!(await this.dataSource.getRepository(LearnerEntity).existsBy({ id: input.learnerId, erasedAt: IsNull() }))) {
      throw DomainError.badInput('input.learnerId', 'no such learner');
    }
    if (!(await this.courses.existsBy({ id: input.courseId }))) throw DomainError.badInput('input.courseId', 'no such course');
    if (input.sponsorEmployerId) await this.organisations.requireKind(input.sponsorEmployerId, 'EMPLOYER', 'input.sponsorEmployerId');
    const live = await this.enrolments
      .createQueryBuilder('e')
      .where('e.learner_id = :l AND e.course_id = :c AND e.status <> :w', { l: input.learnerId, c: input.courseId, w: 'WITHDRAWN' })
      .andWhere(input.sponsorEmployerId ? 'e.sponsor_employer_id = :s' : 'e.sponsor_employer_id IS NULL', { s: input.sponsorEmployerId })
      .getExists();
    if (live) throw DomainError.badInput('input.courseId', 'the learner is already enrolled on this course for this sponsor');
    const enrolment = this.enrolments.create({
      learnerId: input.learnerId,
      courseId: input.courseId,
      sponsorEmployerId: input.sponsorEmployerId ?? null,
      enrolledById,
      status: 'ENROLLED',
      enrolledAt: input.enrolledAt ?? new Date(),
    });
    await this.dataSource.transaction(async (em) => {
      await em.getRepository(EnrolmentEntity).insert(enrolment);
      await this.stamp(em, enrolment.id, ALL_CATEGORIES);
    });
    return this.getEnrolment(enrolment.id);
  }

  async recordProgress(id: string, input: RecordProgressInput): Promise<EnrolmentEntity> {
    return this.dataSource.transaction(async (em) => {
      // Locked for the change: two reports at once must not compare against the same 'before'.
      const enrolment = isUuid(id) ? await em.getRepository(EnrolmentEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } }) : null;
      if (!enrolment) throw DomainError.notFound('Enrolment');
      // Progress of an erased learner is not recorded again (docs/retention.md).
      const [erased] = await em.query<{ erased: boolean }[]>(`SELECT erased_at IS NOT NULL AS erased FROM learners WHERE id = $1`, [enrolment.learnerId]);
      if (erased?.erased) throw DomainError.notFound('Enrolment');
      if (enrolment.status === 'WITHDRAWN') throw DomainError.badInput('input.status', 'a withdrawn enrolment cannot change');
      const status = input.status ?? enrolment.status;
      if (input.completedAt && status !== 'COMPLETED') throw DomainError.badInput('input.completedAt', 'only with status COMPLETED');
      const before = { ...enrolment };
      const now = await dbNow(em);
      if (input.progressPercent !== undefined) enrolment.progressPercent = input.progressPercent;
      if (input.timeSpentMinutes !== undefined) enrolment.timeSpentMinutes = input.timeSpentMinutes;
      if (input.lastActivityAt !== undefined) enrolment.lastActivityAt = input.lastActivityAt;
      if (input.startedAt !== undefined) enrolment.startedAt = input.startedAt;
      if (status === 'IN_PROGRESS' || status === 'COMPLETED') enrolment.startedAt ??= now;
      if (status === 'COMPLETED') {
        enrolment.completedAt = input.completedAt ?? enrolment.completedAt ?? now;
      } else {
        enrolment.completedAt = null;
      }
      enrolment.status = status;
      await em.getRepository(EnrolmentEntity).save(enrolment);
      await this.stamp(em, id, changedCategories(before, enrolment));
      return this.getEnrolment(id, em);
    });
  }

  async withdraw(id: string): Promise<EnrolmentEntity> {
    await this.dataSource.transaction(async (em) => {
      const enrolment = isUuid(id) ? await em.getRepository(EnrolmentEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } }) : null;
      if (!enrolment) throw DomainError.notFound('Enrolment');
      if (enrolment.status === 'WITHDRAWN') return;
      const before = { ...enrolment };
      enrolment.status = 'WITHDRAWN';
      await em.getRepository(EnrolmentEntity).save(enrolment);
      await this.stamp(em, id, changedCategories(before, enrolment));
    });
    return this.getEnrolment(id);
  }

  /** Records that these categories of the enrolment changed now (database clock): category-changes.ts. */
  private async stamp(em: EntityManager, enrolmentId: string, categories: readonly DisclosureCategory[]): Promise<void> {
    if (categories.length) await em.query(`UPDATE enrolments SET changed_at = ${stampSql(2)}, updated_at = now() WHERE id = $1`, [enrolmentId, categories]);
  }

  async enrolmentsByLearner(learnerIds: readonly string[]): Promise<Map<string, Lean<EnrolmentEntity>[]>> {
    const { enrolments } = this.rows;
    const rows = learnerIds.length
      ? await loadJsonRows(
          this.dataSource,
          enrolments,
          `SELECT json_agg(${enrolments.select('x')} ORDER BY x.learner_id, x.id)::text AS rows FROM enrolments x WHERE x.learner_id = ANY($1::uuid[])`,
          [learnerIds],
        )
      : [];
    return groupBy(learnerIds, rows, (r) => r.learnerId);
  }

  // --- results and certificates --------------------------------------------------------------

  /** A new result also stamps ASSESSMENT_RESULTS as changed, so incremental sync (updatedSince) sees it. */
  recordAssessmentResult(input: RecordAssessmentResultInput): Promise<AssessmentResultEntity> {
    if (input.score > input.maxScore) throw DomainError.badInput('input.score', 'must not exceed maxScore');
    return this.dataSource.transaction(async (em) => {
      await this.touch(em, input.enrolmentId, 'input.enrolmentId', ['ASSESSMENT_RESULTS']);
      const repo = em.getRepository(AssessmentResultEntity);
      const result = repo.create(input);
      await repo.insert(result);
      return result;
    });
  }

  issueCertificate(input: IssueCertificateInput): Promise<CertificateEntity> {
    if (input.expiresAt && input.expiresAt <= input.issuedAt) throw DomainError.badInput('input.expiresAt', 'must be after issuedAt');
    return this.dataSource.transaction(async (em) => {
      const repo = em.getRepository(CertificateEntity);
      if (await repo.existsBy({ number: input.number })) throw DomainError.badInput('input.number', 'is already in use');
      // Points earned change only with points: a certificate without any must not move
      // ACCREDITATION's change time (a recipient with it alone could time the certificate).
      await this.touch(em, input.enrolmentId, 'input.enrolmentId', input.accreditationPoints ? ['CERTIFICATES', 'ACCREDITATION'] : ['CERTIFICATES']);
      const certificate = repo.create({ ...input, expiresAt: input.expiresAt ?? null, accreditationPoints: input.accreditationPoints ?? null });
      await repo.insert(certificate);
      return certificate;
    });
  }

  async resultsByEnrolment(enrolmentIds: readonly string[]): Promise<Map<string, Lean<AssessmentResultEntity>[]>> {
    const { results } = this.rows;
    const rows = enrolmentIds.length
      ? await loadJsonRows(
          this.dataSource,
          results,
          `SELECT json_agg(${results.select('x')} ORDER BY x.attempted_at, x.id)::text AS rows FROM assessment_results x WHERE x.enrolment_id = ANY($1::uuid[])`,
          [enrolmentIds],
        )
      : [];
    return groupBy(enrolmentIds, rows, (r) => r.enrolmentId);
  }

  async certificatesByEnrolment(enrolmentIds: readonly string[]): Promise<Map<string, Lean<CertificateEntity>[]>> {
    const { certificates } = this.rows;
    const rows = enrolmentIds.length
      ? await loadJsonRows(
          this.dataSource,
          certificates,
          `SELECT json_agg(${certificates.select('x')} ORDER BY x.issued_at, x.id)::text AS rows FROM certificates x WHERE x.enrolment_id = ANY($1::uuid[])`,
          [enrolmentIds],
        )
      : [];
    return groupBy(enrolmentIds, rows, (r) => r.enrolmentId);
  }

  /** A new result or certificate changes its categories of the enrolment (and its updatedAt, for staff). */
  private async touch(em: EntityManager, enrolmentId: string, field: string, categories: DisclosureCategory[]): Promise<void> {
    if (!isUuid(enrolmentId)) throw DomainError.badInput(field, 'no such enrolment');
    const res = await em.query(`UPDATE enrolments SET changed_at = ${stampSql(2)}, updated_at = now() WHERE id = $1 RETURNING id`, [enrolmentId, categories]);
    const rows = (Array.isArray(res[0]) ? res[0] : res) as unknown[];
    if (rows.length === 0) throw DomainError.badInput(field, 'no such enrolment');
  }
}

function groupBy<T>(keys: readonly string[], rows: T[], keyOf: (row: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>(keys.map((k) => [k, []]));
  for (const row of rows) map.get(keyOf(row))?.push(row);
  return map;
}

/** The database clock: every stored instant comes from it, never from an API host (docs/sharing-rules.md rule 5). */
async function dbNow(em: EntityManager): Promise<Date> {
  return (await em.query<{ now: Date }[]>(`SELECT now() AS now`))[0].now;
}
