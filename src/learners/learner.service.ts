import { anyOf } from '../common/any-of';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import { DomainError } from '../common/errors/domain-error';
import type { ConnectionShape } from '../common/pagination/connection';
import { paginate } from '../common/pagination/keyset';
import { isUuid } from '../common/uuid';
import { OrganisationService } from '../organisations/organisation.service';
import { SharingAgreementService } from '../sharing/agreements/sharing-agreement.service';
import { changedFields, logChanges } from './change-log';
import { EmploymentEntity } from './employment.entity';
import type { CreateEmploymentInput, CreateLearnerInput, LearnersArgs, UpdateEmploymentInput, UpdateLearnerInput } from './learner.inputs';
import { LearnerEntity } from './learner.entity';

@Injectable()
export class LearnerService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly organisations: OrganisationService,
    private readonly agreements: SharingAgreementService,
  ) {}

  private get learners() {
    return this.dataSource.getRepository(LearnerEntity);
  }

  private get employments() {
    return this.dataSource.getRepository(EmploymentEntity);
  }

  /**
   * Provider staff: every learner (the controller's own read). The enrolment filters select the
   * learners with at least one matching enrolment; their `enrolments` list stays complete.
   */
  list(args: LearnersArgs): Promise<ConnectionShape<LearnerEntity>> {
    const qb = this.learners.createQueryBuilder('l');
    if (args.employerId) {
      qb.andWhere('EXISTS (SELECT 1 FROM employments e WHERE e.learner_id = l.id AND e.employer_id = :employerId)', {
        employerId: args.employerId,
      });
    }
    const conditions: string[] = [];
    if (args.courseId) conditions.push('n.course_id = :courseId');
    if (args.status === 'STARTED') conditions.push(`n.status IN ('IN_PROGRESS', 'COMPLETED')`);
    else if (args.status) conditions.push('n.status = :status');
    if (args.completedSince) conditions.push('n.completed_at >= :completedSince');
    if (args.updatedSince) conditions.push('n.updated_at >= :updatedSince');
    if (conditions.length) {
      qb.andWhere(`EXISTS (SELECT 1 FROM enrolments n WHERE n.learner_id = l.id AND ${conditions.join(' AND ')})`, {
        courseId: args.courseId,
        status: args.status,
        completedSince: args.completedSince,
        updatedSince: args.updatedSince,
      });
    }
    return paginate(qb, args);
  }

  async get(id: string): Promise<LearnerEntity> {
    const learner = isUuid(id) ? await this.learners.findOneBy({ id }) : null;
    if (!learner) throw DomainError.notFound('Learner');
    return learner;
  }

  async create(input: CreateLearnerInput): Promise<LearnerEntity> {
    await this.assertUnique(input.email, input.externalSubjectId ?? undefined);
    const learner = this.learners.create({ ...input, externalSubjectId: input.externalSubjectId ?? null });
    await this.learners.insert(learner);
    return learner;
  }

  /**
   * A correction of name, email or locale (by staff, or by the learner: rights/). Each changed
   * field is logged; `within` runs in the same transaction (the learner's request is registered
   * with the change, or neither is written).
   */
  async update(id: string, input: UpdateLearnerInput, changedBy: string, within?: (em: EntityManager, fields: string[]) => Promise<void>): Promise<LearnerEntity> {
    return this.dataSource.transaction(async (em) => {
      // Locked, and only the changed columns written: an erasure running at the same time can
      // neither be overwritten nor undone (docs/retention.md). An erased learner is not found.
      const learner = isUuid(id) ? await em.getRepository(LearnerEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } }) : null;
      if (!learner || learner.erasedAt) throw DomainError.notFound('Learner');
      const patch = stripUndefined(input);
      if (patch.email !== undefined && patch.email !== learner.email) await this.assertUnique(patch.email);
      const fields = changedFields(learner, patch);
      if (fields.length) await em.getRepository(LearnerEntity).update({ id }, Object.fromEntries(fields.map((f) => [f, patch[f]])));
      await logChanges(em, { learnerId: id, record: 'LEARNER', recordId: id, fields, changedBy });
      if (within) await within(em, fields);
      return em.getRepository(LearnerEntity).findOneByOrFail({ id });
    });
  }

  /** Employments of many learners in one query (for a page of learners). */
  async employmentsOf(learnerIds: readonly string[]): Promise<Map<string, EmploymentEntity[]>> {
    const rows = learnerIds.length ? await this.employments.find({ where: { learnerId: anyOf(learnerIds) }, order: { startedOn: 'ASC', id: 'ASC' } }) : [];
    const byLearner = new Map<string, EmploymentEntity[]>(learnerIds.map((id) => [id, []]));
    for (const row of rows) byLearner.get(row.learnerId)?.push(row);
    return byLearner;
  }

  async createEmployment(input: CreateEmploymentInput): Promise<EmploymentEntity> {
    if (input.endedOn && input.endedOn < input.startedOn) throw DomainError.badInput('input.endedOn', 'must not be before startedOn');
    if (!(await this.learners.existsBy({ id: input.learnerId, erasedAt: IsNull() }))) throw DomainError.badInput('input.learnerId', 'no such learner');
    await this.organisations.requireKind(input.employerId, 'EMPLOYER', 'input.employerId');
    if (await this.employments.existsBy({ employerId: input.employerId, employeeNumber: input.employeeNumber })) {
      throw DomainError.badInput('input.employeeNumber', 'is already used at this employer');
    }
    const employment = this.employments.create({ ...input, endedOn: input.endedOn ?? null });
    await this.dataSource.transaction(async (em) => {
      await em.getRepository(EmploymentEntity).insert(employment);
      await this.agreements.informNewEmployee(em, [employment.learnerId], employment.employerId);
    });
    return employment;
  }

  /** Staff confirm a claimed employment after checking it with the person or the employer. */
  async confirmEmployment(id: string): Promise<EmploymentEntity> {
    const employment = isUuid(id) ? await this.employments.findOneBy({ id }) : null;
    if (!employment) throw DomainError.notFound('Employment');
    if (employment.claimedName !== null) {
      employment.claimedName = null;
      await this.employments.update({ id }, { claimedName: null });
    }
    return employment;
  }

  /**
   * Corrects employer-supplied data (employee number, employment dates): provider staff, or the
   * employer for its own employee (`employerId`; any other answers like an unknown id). Each
   * changed field is logged (docs/learner-rights.md, "Rectification").
   */
  async updateEmployment(id: string, input: UpdateEmploymentInput, changedBy: string, employerId?: string): Promise<EmploymentEntity> {
    const employment = isUuid(id) ? await this.employments.findOneBy({ id, ...(employerId ? { employerId } : {}) }) : null;
    if (!employment) throw DomainError.notFound('Employment');
    const before = employment.endedOn;
    const fields = changedFields(employment, stripUndefined({ employeeNumber: input.employeeNumber, startedOn: input.startedOn, endedOn: input.endedOn }));
    if (input.employeeNumber !== undefined && input.employeeNumber !== employment.employeeNumber) {
      if (await this.employments.existsBy({ employerId: employment.employerId, employeeNumber: input.employeeNumber })) {
        throw DomainError.badInput('input.employeeNumber', 'is already used at this employer');
      }
      employment.employeeNumber = input.employeeNumber;
    }
    if (input.startedOn !== undefined) employment.startedOn = input.startedOn;
    if (input.endedOn !== undefined) employment.endedOn = input.endedOn;
    if (employerId && before !== null && input.endedOn !== undefined) {
      // An employer cannot reopen (or lengthen) an employment that has ended: that would make its
      // employee-wide agreements cover the person again. The provider does it, after checking.
      const [{ today }] = await this.dataSource.query<{ today: string }[]>(`SELECT to_char(now() AT TIME ZONE 'Europe/Amsterdam', 'YYYY-MM-DD') AS today`);
      if (before < today && (input.endedOn === null || input.endedOn > before)) {
        throw DomainError.badInput('input.endedOn', 'an ended employment is reopened or extended by the provider, not by the employer');
      }
    }
    if (employment.endedOn !== null && employment.endedOn < employment.startedOn) {
      throw DomainError.badInput(input.endedOn !== undefined ? 'input.endedOn' : 'input.startedOn', 'endedOn must not be before startedOn');
    }
    return this.dataSource.transaction(async (em) => {
      await logChanges(em, { learnerId: employment.learnerId, record: 'EMPLOYMENT', recordId: employment.id, fields, changedBy });
      const [{ today }] = await em.query<{ today: string }[]>(`SELECT to_char(now() AT TIME ZONE 'Europe/Amsterdam', 'YYYY-MM-DD') AS today`);
      const wasOver = input.endedOn !== undefined && before !== null && before < today;
      const saved = await em.getRepository(EmploymentEntity).save(employment);
      // Reopened: the employer's employee-wide agreements cover the person again; they are told.
      if (wasOver && (employment.endedOn === null || employment.endedOn >= today)) await this.agreements.informNewEmployee(em, [employment.learnerId], employment.employerId);
      return saved;
    });
  }

  private async assertUnique(email: string, externalSubjectId?: string): Promise<void> {
    if (await this.learners.existsBy({ email })) throw DomainError.badInput('input.email', 'is already registered');
    if (externalSubjectId && (await this.learners.existsBy({ externalSubjectId }))) {
      throw DomainError.badInput('input.externalSubjectId', 'is already linked to another learner');
    }
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
