import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { DomainError } from '../common/errors/domain-error';
import { isUuid } from '../common/uuid';
import { uuid7 } from '../common/uuid7';
import { LearnerNotifier } from '../outbox/learner-notifier.service';
import { DataSubjectRequestEntity } from './data-subject-request.entity';
import { dueAtSql, extensionCapSql } from './due-dates';
import { OPEN_STATUSES, type RequestChannel, type RequestKind, type RequestStatus } from './request-kinds';

export interface NewRequest {
  learnerId: string;
  kind: RequestKind;
  channel: RequestChannel;
  details: string | null;
  identityVerification: string;
  /** Omitted: now (the database clock). Staff may record an earlier receipt (a letter of last week). */
  receivedAt?: Date;
  recordedBy: string;
}

export interface RequestFilter {
  learnerId?: string;
  status?: RequestStatus;
  openOnly?: boolean;
  overdueOnly?: boolean;
}

/**
 * The register of data-subject requests (docs/learner-rights.md): every request a learner makes,
 * through the API or by letter, email or call, with its deadline and its answer. The one place
 * that writes it; the learner is told of each step that changes what they can expect.
 */
@Injectable()
export class RequestRegister {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly notifier: LearnerNotifier,
  ) {}

  /** A new request, open until answered; the learner is told when it is due. */
  async file(request: NewRequest, em?: EntityManager): Promise<DataSubjectRequestEntity> {
    const run = async (m: EntityManager) => {
      const entity = await this.insert(m, request, 'RECEIVED');
      await this.notifier.inform(m, [request.learnerId], 'REQUEST_RECEIVED', { requestId: entity.id, requestKind: entity.kind, dueAt: entity.dueAt.toISOString() });
      return entity;
    };
    return em ? run(em) : this.dataSource.transaction(run);
  }

  /**
   * A request the API carries out at once (a consent withdrawal, an objection, a restriction, a
   * correction of one's own profile): registered as answered in the caller's transaction, so the
   * register cannot miss one and cannot hold one that did not happen.
   */
  async recordAnswered(em: EntityManager, request: Omit<NewRequest, 'receivedAt'> & { answer: string }): Promise<DataSubjectRequestEntity> {
    return this.insert(em, request, 'ANSWERED', request.answer);
  }

  /** One request; another learner's answers exactly like an unknown id. */
  async get(id: string, learnerId?: string): Promise<DataSubjectRequestEntity> {
    const found = isUuid(id) ? await this.dataSource.getRepository(DataSubjectRequestEntity).findOneBy({ id, ...(learnerId ? { learnerId } : {}) }) : null;
    if (!found) throw DomainError.notFound('Request');
    return found;
  }

  /**
   * A learner's requests (newest first), or for staff the register: open ones by due date first.
   * Overdue: open and past the deadline in force, by the database clock.
   */
  async list(filter: RequestFilter): Promise<DataSubjectRequestEntity[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.learnerId) where.push(`learner_id = $${params.push(filter.learnerId)}`);
    if (filter.status) where.push(`status = $${params.push(filter.status)}`);
    if (filter.openOnly || filter.overdueOnly) where.push(`status IN ('RECEIVED', 'IN_PROGRESS')`);
    if (filter.overdueOnly) where.push(`due_at < now()`);
    const ids = await this.dataSource.query<{ id: string }[]>(
      `SELECT id FROM data_subject_requests ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY ${filter.learnerId ? 'id DESC' : `(status IN ('RECEIVED', 'IN_PROGRESS')) DESC, due_at, id`} LIMIT 1000`,
      params,
    );
    if (ids.length === 0) return [];
    const rows = await this.dataSource.getRepository(DataSubjectRequestEntity).findBy(ids.map((r) => ({ id: r.id })));
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((r) => byId.get(r.id)!);
  }

  async start(id: string): Promise<DataSubjectRequestEntity> {
    return this.dataSource.transaction(async (em) => {
      const current = await this.lockOpen(em, id);
      if (current.status === 'RECEIVED') await em.query(`UPDATE data_subject_requests SET status = 'IN_PROGRESS' WHERE id = $1`, [id]);
      return em.getRepository(DataSubjectRequestEntity).findOneByOrFail({ id });
    });
  }

  /**
   * A later deadline (GDPR Art. 12(3)): only with a reason, at most two months past the original
   * due date, and the learner is told.
   */
  async extend(id: string, until: Date, reason: string): Promise<DataSubjectRequestEntity> {
    return this.dataSource.transaction(async (em) => {
      const current = await this.lockOpen(em, id);
      const [limits] = await em.query<{ cap: Date; later: boolean; within: boolean }[]>(
        `SELECT ${extensionCapSql('$1::timestamptz')} AS cap, $2::timestamptz > $3::timestamptz AS later, $2::timestamptz <= ${extensionCapSql('$1::timestamptz')} AS within`,
        [current.originalDueAt, until, current.dueAt],
      );
      if (!limits.later) throw DomainError.badInput('until', 'an extension must be later than the current due date');
      if (!limits.within) throw DomainError.badInput('until', `an extension reaches at most two months past the original due date (${limits.cap.toISOString()})`);
      await em.query(`UPDATE data_subject_requests SET extended_until = $2, due_at = $2, extension_reason = $3, reminded_week_at = NULL, reminded_day_at = NULL WHERE id = $1`, [
        id,
        until,
        reason,
      ]);
      await this.notifier.inform(em, [current.learnerId], 'REQUEST_EXTENDED', { requestId: id, requestKind: current.kind, dueAt: until.toISOString(), reason });
      return em.getRepository(DataSubjectRequestEntity).findOneByOrFail({ id });
    });
  }

  /** The answer (final); the learner is told. `em`: inside the caller's transaction (an export that completes a request). */
  async answer(id: string, answer: string, by: string, em?: EntityManager, opts: { inform: boolean } = { inform: true }): Promise<DataSubjectRequestEntity> {
    return this.close(id, 'ANSWERED', answer, by, em, opts.inform);
  }

  async reject(id: string, reason: string, by: string): Promise<DataSubjectRequestEntity> {
    return this.close(id, 'REJECTED', reason, by);
  }

  /** `inform: false` for an erasure, whose answer goes by email directly: there is no inbox left to put it in. */
  private async close(id: string, status: 'ANSWERED' | 'REJECTED', text: string, by: string, em?: EntityManager, inform = true): Promise<DataSubjectRequestEntity> {
    const run = async (m: EntityManager) => {
      const current = await this.lockOpen(m, id);
      await m.query(`UPDATE data_subject_requests SET status = $2, answered_at = now(), answered_by = $3, answer = $4 WHERE id = $1`, [id, status, by, text]);
      if (inform) await this.notifier.inform(m, [current.learnerId], status === 'ANSWERED' ? 'REQUEST_ANSWERED' : 'REQUEST_REJECTED', { requestId: id, requestKind: current.kind, ...(status === 'REJECTED' ? { reason: text } : {}) });
      return m.getRepository(DataSubjectRequestEntity).findOneByOrFail({ id });
    };
    return em ? run(em) : this.dataSource.transaction(run);
  }

  /** `answer`: registered as answered when received (answered_at = received_at). */
  private async insert(em: EntityManager, request: NewRequest, status: RequestStatus, answer?: string): Promise<DataSubjectRequestEntity> {
    if (request.receivedAt) {
      const [{ future }] = await em.query<{ future: boolean }[]>(`SELECT $1::timestamptz > now() AS future`, [request.receivedAt]);
      if (future) throw DomainError.badInput('input.receivedAt', 'a request cannot be received in the future');
    }
    const id = uuid7();
    const params: unknown[] = [id, request.learnerId, request.kind, request.channel, request.details, request.identityVerification, request.recordedBy, answer ?? null];
    if (request.receivedAt) params.push(request.receivedAt);
    const received = request.receivedAt ? '$9::timestamptz' : 'now()';
    await em.query(
      `INSERT INTO data_subject_requests (id, learner_id, kind, channel, details, identity_verification, recorded_by, received_at, original_due_at, due_at, status, answer, answered_at, answered_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, ${received}, ${dueAtSql(received)}, ${dueAtSql(received)}, '${status}', $8,
               ${answer === undefined ? 'NULL' : received}, ${answer === undefined ? 'NULL' : '$7'})`,
      params,
    );
    return em.getRepository(DataSubjectRequestEntity).findOneByOrFail({ id });
  }

  /** The request, locked, if it is still open; answering twice is a clear error, not a second answer. */
  private async lockOpen(em: EntityManager, id: string): Promise<DataSubjectRequestEntity> {
    const current = isUuid(id) ? await em.getRepository(DataSubjectRequestEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } }) : null;
    if (!current) throw DomainError.notFound('Request');
    if (!OPEN_STATUSES.includes(current.status)) throw DomainError.badInput('id', `the request is already ${current.status.toLowerCase()}`);
    return current;
  }
}
