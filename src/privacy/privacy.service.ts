import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import type { Actor } from '../auth/actor';
import { DomainError } from '../common/errors/domain-error';
import { isUuid } from '../common/uuid';
import { EmploymentEntity } from '../learners/employment.entity';
import { LearnerNotifier } from '../outbox/learner-notifier.service';
import { VERIFIED_BY_LEARNER_TOKEN } from '../requests/request-kinds';
import { RequestRegister } from '../requests/request-register.service';
import { BASIS_RULES } from '../sharing/agreements/basis-rules';
import { SharingAgreementEntity } from '../sharing/agreements/sharing-agreement.entity';
import { ObjectionEntity } from './objection.entity';
import { RestrictionEntity } from './restriction.entity';

/**
 * The learner's levers over legitimate interest and processing as a whole. Each takes effect for
 * every request that starts after it commits: timestamps come from the database clock, which the
 * gate also reads.
 */
@Injectable()
export class PrivacyService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly notifier: LearnerNotifier,
    private readonly register: RequestRegister,
  ) {}

  /** GDPR Art. 21: objecting to one legitimate-interest agreement stops the recipient's legitimate interest for this learner. */
  async object(actor: Actor, agreementId: string, grounds: string | null): Promise<ObjectionEntity> {
    const learnerId = actor.learnerId!;
    const agreement = isUuid(agreementId)
      ? await this.dataSource.getRepository(SharingAgreementEntity).findOneBy({ agreementId, supersededAt: IsNull() })
      : null;
    // An agreement that does not concern this learner (neither names them nor covers the
    // employees of an employer they have worked for) answers exactly like an unknown id: the
    // learner learns nothing about other people's agreements, not even that one exists.
    const concerns =
      agreement !== null &&
      (agreement.learnerId === learnerId ||
        (agreement.learnerId === null && (await this.dataSource.getRepository(EmploymentEntity).existsBy({ learnerId, employerId: agreement.recipientId }))));
    if (!agreement || !concerns) throw DomainError.badInput('agreementId', 'no such agreement');
    if (!BASIS_RULES[agreement.basis].stoppedByObjection) throw DomainError.badInput('agreementId', 'an objection is against a legitimate-interest agreement');
    return this.dataSource.transaction(async (em) => {
      // One active objection per recipient; objecting again returns it.
      await em.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`objection:${learnerId}:${agreement.recipientId}`]);
      const repo = em.getRepository(ObjectionEntity);
      const active = await repo.findOneBy({ learnerId, recipientId: agreement.recipientId, liftedAt: IsNull() });
      if (active) return active;
      const objection = repo.create({ learnerId, recipientId: agreement.recipientId, agreementId, grounds, liftedAt: null });
      await repo.insert(objection);
      await this.notifier.inform(em, [learnerId], 'OBJECTION_RECORDED', { recipientId: agreement.recipientId, basis: agreement.basis, agreementId });
      // Carried out at once, so registered as answered at once (docs/learner-rights.md).
      await this.register.recordAnswered(em, {
        learnerId,
        kind: 'OBJECTION',
        channel: 'API',
        details: grounds,
        identityVerification: VERIFIED_BY_LEARNER_TOKEN,
        recordedBy: `learner:${learnerId}`,
        answer: `Objection recorded: no more sharing on the basis of legitimate interest with this recipient until you lift it (objection ${objection.id}).`,
      });
      return repo.findOneByOrFail({ id: objection.id });
    });
  }

  async liftObjection(actor: Actor, objectionId: string): Promise<ObjectionEntity> {
    return this.dataSource.transaction(async (em) => {
      const repo = em.getRepository(ObjectionEntity);
      const objection = isUuid(objectionId) ? await repo.findOneBy({ id: objectionId, learnerId: actor.learnerId }) : null;
      if (!objection) throw DomainError.notFound('Objection');
      const [, lifted] = await em.query<[unknown, number]>(`UPDATE objections SET lifted_at = now() WHERE id = $1 AND lifted_at IS NULL`, [objection.id]);
      if (lifted) await this.notifier.inform(em, [objection.learnerId], 'OBJECTION_LIFTED', { recipientId: objection.recipientId, basis: 'LEGITIMATE_INTEREST' });
      return repo.findOneByOrFail({ id: objection.id });
    });
  }

  /** GDPR Art. 18: while a restriction is active nothing is disclosed under any basis. */
  async restrict(actor: Actor, reason: string | null): Promise<RestrictionEntity> {
    const learnerId = actor.learnerId!;
    return this.dataSource.transaction(async (em) => {
      await em.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`restriction:${learnerId}`]);
      const repo = em.getRepository(RestrictionEntity);
      const active = await repo.findOneBy({ learnerId, liftedAt: IsNull() });
      if (active) return active;
      const restriction = repo.create({ learnerId, reason, liftedAt: null });
      await repo.insert(restriction);
      await this.notifier.inform(em, [learnerId], 'RESTRICTION_RECORDED', {});
      await this.register.recordAnswered(em, {
        learnerId,
        kind: 'RESTRICTION',
        channel: 'API',
        details: reason,
        identityVerification: VERIFIED_BY_LEARNER_TOKEN,
        recordedBy: `learner:${learnerId}`,
        answer: `Processing restricted: nothing is shared under any basis until you lift it (restriction ${restriction.id}).`,
      });
      return repo.findOneByOrFail({ id: restriction.id });
    });
  }

  async liftRestriction(actor: Actor): Promise<RestrictionEntity> {
    return this.dataSource.transaction(async (em) => {
      const repo = em.getRepository(RestrictionEntity);
      const active = await repo.findOne({ where: { learnerId: actor.learnerId, liftedAt: IsNull() }, lock: { mode: 'pessimistic_write' } });
      if (!active) throw DomainError.notFound('Active restriction');
      await em.query(`UPDATE restrictions SET lifted_at = now() WHERE id = $1`, [active.id]);
      await this.notifier.inform(em, [active.learnerId], 'RESTRICTION_LIFTED', {});
      return repo.findOneByOrFail({ id: active.id });
    });
  }

  /** A learner reads their own; staff read any learner's. */
  objections(learnerId: string): Promise<ObjectionEntity[]> {
    return this.dataSource.getRepository(ObjectionEntity).find({ where: { learnerId }, order: { objectedAt: 'ASC' } });
  }

  restrictions(learnerId: string): Promise<RestrictionEntity[]> {
    return this.dataSource.getRepository(RestrictionEntity).find({ where: { learnerId }, order: { requestedAt: 'ASC' } });
  }
}
