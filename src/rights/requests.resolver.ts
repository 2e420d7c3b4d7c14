import { Args, ID, Int, Mutation, Query, ResolveField, Resolver, Root } from '@nestjs/graphql';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import type { Actor } from '../auth/actor';
import { Allow, CurrentActor } from '../auth/auth.decorators';
import { DomainError } from '../common/errors/domain-error';
import { isUuid } from '../common/uuid';
import { DataSubjectRequestEntity } from '../requests/data-subject-request.entity';
import { OPEN_STATUSES, VERIFIED_BY_LEARNER_TOKEN } from '../requests/request-kinds';
import { RequestRegister } from '../requests/request-register.service';
import { StaffAlertEntity } from '../requests/staff-alert.entity';
import { ExportService } from './export/export.service';
import { ErasureService } from './retention/erasure.service';
import { FileRequestInput, PrivacyRequestModel, PrivacyRequestsArgs, RecordRequestInput, StaffAlertModel } from './request.model';

/** Requests that an export answers (docs/learner-rights.md, "Export"). */
const EXPORTED_KINDS = new Set(['ACCESS', 'PORTABILITY']);

/**
 * The register through the API: learners file and read their own requests; provider staff record
 * those that arrive by letter, email or call, and extend, answer or reject them.
 */
@Resolver(() => PrivacyRequestModel)
export class RequestsResolver {
  constructor(
    private readonly register: RequestRegister,
    private readonly exports: ExportService,
    private readonly erasure: ErasureService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  @Query(() => [PrivacyRequestModel], { description: 'Learners: their own requests, newest first. Provider staff: the register, open requests by due date first.' })
  @Allow('LEARNER', 'PROVIDER_STAFF')
  privacyRequests(@CurrentActor() actor: Actor, @Args() args: PrivacyRequestsArgs) {
    const learnerId = actor.kind === 'LEARNER' ? actor.learnerId! : args.learnerId;
    return this.register.list({ learnerId, status: args.status, openOnly: args.openOnly, overdueOnly: args.overdueOnly });
  }

  @Query(() => PrivacyRequestModel, { description: "One request; another learner's answers exactly like an unknown id." })
  @Allow('LEARNER', 'PROVIDER_STAFF')
  privacyRequest(@CurrentActor() actor: Actor, @Args('id', { type: () => ID }) id: string) {
    return this.register.get(id, actor.kind === 'LEARNER' ? actor.learnerId : undefined);
  }

  @Mutation(() => PrivacyRequestModel, {
    description: 'Make a request (access, a portable copy, correction, erasure …). Access and portability are answered by an export you are told of when it is ready.',
  })
  @Allow('LEARNER')
  async fileRequest(@CurrentActor() actor: Actor, @Args('input') input: FileRequestInput) {
    const learnerId = actor.learnerId!;
    return this.dataSource.transaction(async (em) => {
      const request = await this.register.file(
        { learnerId, kind: input.kind, channel: 'API', details: input.details ?? null, identityVerification: VERIFIED_BY_LEARNER_TOKEN, recordedBy: `learner:${learnerId}` },
        em,
      );
      // An erasure is carried out at once: the token identified the learner (docs/retention.md).
      if (request.kind === 'ERASURE') await this.erasure.erase(em, learnerId, request.id, `learner:${learnerId}`);
      else if (!EXPORTED_KINDS.has(request.kind)) return request;
      else await this.exports.start(em, { learnerId, requestId: request.id, requestedBy: `learner:${learnerId}` });
      return em.getRepository(DataSubjectRequestEntity).findOneByOrFail({ id: request.id });
    });
  }

  @Mutation(() => PrivacyRequestModel, { description: 'Provider staff: record a request that arrived by email, letter, phone or in person. Access and portability start an export.' })
  @Allow('PROVIDER_STAFF')
  async recordRequest(@CurrentActor() actor: Actor, @Args('input') input: RecordRequestInput) {
    if (!(await this.dataSource.query<unknown[]>(`SELECT 1 FROM learners WHERE id = $1`, [input.learnerId])).length) throw DomainError.badInput('input.learnerId', 'no such learner');
    return this.dataSource.transaction(async (em) => {
      const request = await this.register.file(
        {
          learnerId: input.learnerId,
          kind: input.kind,
          channel: input.channel,
          details: input.details ?? null,
          identityVerification: input.identityVerification,
          receivedAt: input.receivedAt,
          recordedBy: actor.subject,
        },
        em,
      );
      // Staff record an erasure once they have verified who asked: it is carried out at once.
      if (request.kind === 'ERASURE') await this.erasure.erase(em, input.learnerId, request.id, actor.subject);
      else if (!EXPORTED_KINDS.has(request.kind)) return request;
      else await this.exports.start(em, { learnerId: input.learnerId, requestId: request.id, requestedBy: actor.subject });
      return em.getRepository(DataSubjectRequestEntity).findOneByOrFail({ id: request.id });
    });
  }

  @Mutation(() => PrivacyRequestModel, { description: 'Provider staff: work has started on it (RECEIVED → IN_PROGRESS).' })
  @Allow('PROVIDER_STAFF')
  startRequest(@Args('id', { type: () => ID }) id: string) {
    return this.register.start(id);
  }

  @Mutation(() => PrivacyRequestModel, {
    description: 'Provider staff: a later deadline, at most two months past the original due date, with a reason the learner is told (GDPR Art. 12(3)).',
  })
  @Allow('PROVIDER_STAFF')
  extendRequest(@Args('id', { type: () => ID }) id: string, @Args('until') until: Date, @Args('reason') reason: string) {
    if (!reason.trim()) throw DomainError.badInput('reason', 'an extension needs a reason');
    if (reason.length > 2000) throw DomainError.badInput('reason', 'must be at most 2000 characters');
    return this.register.extend(id, until, reason);
  }

  @Mutation(() => PrivacyRequestModel, { description: 'Provider staff: the answer (final); the learner is told.' })
  @Allow('PROVIDER_STAFF')
  answerRequest(@CurrentActor() actor: Actor, @Args('id', { type: () => ID }) id: string, @Args('answer') answer: string) {
    if (!answer.trim()) throw DomainError.badInput('answer', 'must not be empty');
    if (answer.length > 20000) throw DomainError.badInput('answer', 'must be at most 20000 characters');
    return this.register.answer(id, answer, actor.subject);
  }

  @Mutation(() => PrivacyRequestModel, { description: 'Provider staff: reject with a reason (final); the learner is told the reason.' })
  @Allow('PROVIDER_STAFF')
  rejectRequest(@CurrentActor() actor: Actor, @Args('id', { type: () => ID }) id: string, @Args('reason') reason: string) {
    if (!reason.trim()) throw DomainError.badInput('reason', 'a rejection needs a reason');
    if (reason.length > 20000) throw DomainError.badInput('reason', 'must be at most 20000 characters');
    return this.register.reject(id, reason, actor.subject);
  }

  @Query(() => [StaffAlertModel], { description: 'Provider staff: requests about to fall due (7 days and 1 day before), newest first.' })
  @Allow('PROVIDER_STAFF')
  staffAlerts(@Args('unreadOnly', { defaultValue: false }) unreadOnly: boolean) {
    return this.dataSource.getRepository(StaffAlertEntity).find({ where: unreadOnly ? { readAt: IsNull() } : {}, order: { id: 'DESC' }, take: 500 });
  }

  @Mutation(() => Int, { description: 'Provider staff: marks these (or all) alerts read; returns how many changed.' })
  @Allow('PROVIDER_STAFF')
  async markStaffAlertsRead(@Args('ids', { type: () => [ID], nullable: true }) ids?: string[] | null) {
    if (ids?.some((id) => !isUuid(id))) throw DomainError.badInput('ids', 'must be ids');
    const [, n] = await this.dataSource.query<[unknown, number]>(
      `UPDATE staff_alerts SET read_at = now() WHERE read_at IS NULL ${ids ? 'AND id = ANY($1::uuid[])' : ''}`,
      ids ? [ids] : [],
    );
    return n;
  }

  @ResolveField(() => Boolean)
  overdue(@Root() r: DataSubjectRequestEntity): boolean {
    return OPEN_STATUSES.includes(r.status) && r.dueAt.getTime() < Date.now();
  }

  @ResolveField(() => String, { nullable: true })
  recordedBy(@Root() r: DataSubjectRequestEntity, @CurrentActor() actor: Actor): string | null {
    // A staff member's subject is internal to the provider.
    return actor.kind === 'PROVIDER_STAFF' ? r.recordedBy : null;
  }
}
