import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Brackets, DataSource, type EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor';
import type { DisclosureCategory } from '../common/disclosure-category';
import { DomainError } from '../common/errors/domain-error';
import { isUuid } from '../common/uuid';
import { CourseEntity } from '../enrolments/course.entity';
import { EmploymentEntity } from '../learners/employment.entity';
import { LearnerEntity } from '../learners/learner.entity';
import { OrganisationEntity } from '../organisations/organisation.entity';
import { LearnerNotifier } from '../notifications/learner-notifier.service';
import { amsterdamDate } from './gate-facts';
import { SharingAgreementEntity } from './sharing-agreement.entity';
import type { ChangeSharingAgreementInput, CreateSharingAgreementInput, GrantConsentInput, SharingAgreementsArgs } from './sharing-agreement.model';
import { LEGITIMATE_INTEREST_CATEGORIES } from './sharing-basis';

interface Terms {
  categories: DisclosureCategory[];
  courseIds: string[] | null;
  validFrom: Date;
  validUntil: Date | null;
  reference: string;
}

/**
 * Sharing agreements: who may create which (DESIGN §4 table), the basis rules, versioning and
 * revocation. Every write checks its rules before it writes anything.
 */
@Injectable()
export class SharingAgreementService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly notifier: LearnerNotifier,
  ) {}

  async create(actor: Actor, input: CreateSharingAgreementInput): Promise<SharingAgreementEntity> {
    switch (input.basis) {
      case 'CONSENT':
        throw DomainError.badInput('input.basis', 'consent is given by the learner only (grantConsent)');
      case 'PROCESSOR':
      case 'LEGITIMATE_INTEREST':
        if (actor.kind !== 'PROVIDER_STAFF') throw DomainError.forbidden(`${input.basis} agreements are made by provider staff`);
        if (input.learnerId) throw DomainError.badInput('input.learnerId', `a ${input.basis} agreement covers every employee of the recipient`);
        break;
      case 'STUDY_CONTRACT':
        if (!input.learnerId) throw DomainError.badInput('input.learnerId', 'a study contract names one learner');
        // An employer records its own study contracts, for its own employees only.
        if (actor.kind === 'EMPLOYER_CLIENT' && input.recipientId !== actor.organisationId) {
          throw DomainError.badInput('input.recipientId', 'an employer records study contracts with itself as recipient');
        }
        break;
    }
    await this.requireOrganisation(input.recipientId, ['EMPLOYER'], 'input.recipientId');
    if (input.learnerId) await this.requireLearnerFor(actor, input.learnerId, 'input.learnerId');
    const terms = await this.checkTerms(input.basis, {
      categories: input.categories,
      courseIds: input.courseIds ?? null,
      validFrom: input.validFrom,
      validUntil: input.validUntil ?? null,
      reference: input.reference,
    });
    return this.dataSource.transaction(async (em) => {
      const agreement = await this.insertVersion(em, {
        agreementId: randomUUID(),
        version: 1,
        recipientId: input.recipientId,
        basis: input.basis,
        learnerId: input.learnerId ?? null,
        createdBy: actor.subject,
        ...terms,
      });
      // Learners are informed when a study contract or a legitimate interest starts covering them
      // (DESIGN §6): the contract's learner, or every current employee of the recipient.
      const covered =
        agreement.basis === 'STUDY_CONTRACT'
          ? [agreement.learnerId!]
          : agreement.basis === 'LEGITIMATE_INTEREST'
            ? await this.currentEmployees(em, agreement.recipientId)
            : [];
      await this.notifier.inform(em, covered, 'AGREEMENT_COVERS_YOU', { recipientId: agreement.recipientId, basis: agreement.basis, agreementId: agreement.agreementId });
      return agreement;
    });
  }

  /** The learner's own consent, to a recipient of their choosing (DESIGN §4 CONSENT). */
  async grantConsent(actor: Actor, input: GrantConsentInput): Promise<SharingAgreementEntity> {
    await this.requireOrganisation(input.recipientId, ['EMPLOYER', 'BROKER'], 'input.recipientId');
    const now = await this.dbNow();
    const terms = await this.checkTerms('CONSENT', {
      categories: input.categories,
      courseIds: input.courseIds ?? null,
      validFrom: now,
      validUntil: input.validUntil ?? null,
      reference: `consent-text:${input.consentTextVersion}`,
    });
    return this.dataSource.transaction(async (em) => {
      const consent = await this.insertVersion(em, {
        agreementId: randomUUID(),
        version: 1,
        recipientId: input.recipientId,
        basis: 'CONSENT',
        learnerId: actor.learnerId!,
        // The learner id, not the token subject: an identity-provider subject is internal.
        createdBy: `learner:${actor.learnerId!}`,
        ...terms,
      });
      await this.notifier.inform(em, [actor.learnerId!], 'CONSENT_RECORDED', { recipientId: consent.recipientId, basis: 'CONSENT', agreementId: consent.agreementId });
      return consent;
    });
  }

  /** Withdrawal takes effect for every request that starts after it commits (database clock). */
  async withdrawConsent(actor: Actor, agreementId: string): Promise<SharingAgreementEntity> {
    return this.dataSource.transaction(async (em) => {
      const current = await this.current(em, agreementId);
      if (!current || current.basis !== 'CONSENT' || current.learnerId !== actor.learnerId) throw DomainError.notFound('Consent');
      const wasActive = !current.revokedAt;
      const withdrawn = await this.stampRevoked(em, current);
      if (wasActive) await this.notifier.inform(em, [actor.learnerId], 'CONSENT_WITHDRAWN', { recipientId: current.recipientId, basis: 'CONSENT', agreementId: current.agreementId });
      return withdrawn;
    });
  }

  /** A change makes a new version; the previous one is superseded from the new one's creation. */
  async change(actor: Actor, agreementId: string, input: ChangeSharingAgreementInput): Promise<SharingAgreementEntity> {
    return this.dataSource.transaction(async (em) => {
      const current = await this.current(em, agreementId);
      if (!current || !this.mayManage(actor, current)) throw DomainError.notFound('Sharing agreement');
      // Consent is the learner's own act, kept as proof: nobody else may rewrite it.
      if (current.basis === 'CONSENT') throw DomainError.badInput('agreementId', 'a consent is changed only by the learner (withdraw and grant anew)');
      if (current.revokedAt) throw DomainError.badInput('agreementId', 'a revoked agreement cannot change');
      const terms = await this.checkTerms(current.basis, {
        categories: input.categories ?? current.categories,
        courseIds: input.courseIds === undefined ? current.courseIds : input.courseIds.length ? input.courseIds : null,
        validFrom: input.validFrom ?? current.validFrom,
        validUntil: input.validUntil === undefined ? current.validUntil : input.validUntil,
        reference: input.reference ?? current.reference,
      });
      const next = await this.insertVersion(em, {
        agreementId: current.agreementId,
        version: current.version + 1,
        recipientId: current.recipientId,
        basis: current.basis,
        learnerId: current.learnerId,
        createdBy: actor.subject,
        ...terms,
      });
      await em.query(`UPDATE sharing_agreements SET superseded_at = $2 WHERE id = $1`, [current.id, next.createdAt]);
      return next;
    });
  }

  async revoke(actor: Actor, agreementId: string): Promise<SharingAgreementEntity> {
    return this.dataSource.transaction(async (em) => {
      const current = await this.current(em, agreementId);
      if (!current || !this.mayManage(actor, current)) throw DomainError.notFound('Sharing agreement');
      if (current.basis === 'CONSENT') throw DomainError.badInput('agreementId', 'consent is withdrawn by the learner');
      return this.stampRevoked(em, current);
    });
  }

  list(actor: Actor, args: SharingAgreementsArgs): Promise<SharingAgreementEntity[]> {
    const qb = this.dataSource.getRepository(SharingAgreementEntity).createQueryBuilder('a');
    if (!args.includeHistory) qb.where('a.superseded_at IS NULL');
    if (args.recipientId) qb.andWhere('a.recipient_id = :r', { r: args.recipientId });
    if (args.learnerId) qb.andWhere('a.learner_id = :l', { l: args.learnerId });
    switch (actor.kind) {
      case 'PROVIDER_STAFF':
        break;
      case 'EMPLOYER_CLIENT':
      case 'BROKER_CLIENT':
        qb.andWhere('a.recipient_id = :own', { own: actor.organisationId });
        // A consent is listed to its recipient only while in force: a withdrawn one simply ends,
        // like an expired one, so the list never tells an employer that a learner withdrew.
        qb.andWhere(`(a.basis <> 'CONSENT' OR (a.revoked_at IS NULL AND a.valid_from <= now() AND (a.valid_until IS NULL OR a.valid_until > now())))`);
        break;
      case 'LEARNER':
        // Their own consents and study contracts, and the employee-wide agreements of employers
        // they have worked for: everything that could cover them.
        qb.andWhere(
          new Brackets((b) =>
            b
              .where('a.learner_id = :me', { me: actor.learnerId })
              .orWhere('a.learner_id IS NULL AND a.recipient_id IN (SELECT employer_id FROM employments WHERE learner_id = :me)', { me: actor.learnerId }),
          ),
        );
        break;
    }
    return qb.orderBy('a.created_at', 'ASC').addOrderBy('a.id', 'ASC').getMany();
  }

  private async currentEmployees(em: EntityManager, employerId: string): Promise<string[]> {
    const rows = await em.query<{ id: string }[]>(
      `SELECT DISTINCT learner_id AS id FROM employments
        WHERE employer_id = $1 AND started_on <= $2 AND (ended_on IS NULL OR ended_on >= $2)`,
      [employerId, amsterdamDate(new Date())],
    );
    return rows.map((r) => r.id);
  }

  private mayManage(actor: Actor, a: SharingAgreementEntity): boolean {
    if (actor.kind === 'PROVIDER_STAFF') return true;
    return actor.kind === 'EMPLOYER_CLIENT' && a.basis === 'STUDY_CONTRACT' && a.recipientId === actor.organisationId;
  }

  private async checkTerms(basis: SharingAgreementEntity['basis'], t: Terms): Promise<Terms> {
    if (t.validUntil && t.validUntil <= t.validFrom) throw DomainError.badInput('input.validUntil', 'must be after validFrom');
    if (basis === 'LEGITIMATE_INTEREST') {
      const extra = t.categories.filter((c) => !(LEGITIMATE_INTEREST_CATEGORIES as readonly string[]).includes(c));
      if (extra.length) {
        throw DomainError.badInput('input.categories', `a legitimate interest covers only ${LEGITIMATE_INTEREST_CATEGORIES.join(', ')} (data minimisation); not ${extra.join(', ')}`);
      }
    }
    if (t.courseIds) {
      const found = await this.dataSource.getRepository(CourseEntity).countBy(t.courseIds.map((id) => ({ id })));
      if (found !== t.courseIds.length) throw DomainError.badInput('input.courseIds', 'names an unknown course');
    }
    return t;
  }

  private async requireOrganisation(id: string, kinds: OrganisationEntity['kind'][], field: string): Promise<void> {
    const org = await this.dataSource.getRepository(OrganisationEntity).findOneBy({ id });
    if (!org || !kinds.includes(org.kind)) throw DomainError.badInput(field, `must be the id of an ${kinds.join(' or ').toLowerCase()}`);
  }

  /** Staff name any learner; an employer only one it has an employment record for. */
  private async requireLearnerFor(actor: Actor, learnerId: string, field: string): Promise<void> {
    const known =
      actor.kind === 'PROVIDER_STAFF'
        ? await this.dataSource.getRepository(LearnerEntity).existsBy({ id: learnerId })
        : await this.dataSource.getRepository(EmploymentEntity).existsBy({ learnerId, employerId: actor.organisationId });
    if (!known) throw DomainError.badInput(field, 'no such learner');
  }

  private async current(em: EntityManager, agreementId: string): Promise<SharingAgreementEntity | null> {
    if (!isUuid(agreementId)) return null;
    return em
      .getRepository(SharingAgreementEntity)
      .createQueryBuilder('a')
      .setLock('pessimistic_write')
      .where('a.agreement_id = :agreementId AND a.superseded_at IS NULL', { agreementId })
      .getOne();
  }

  private async stampRevoked(em: EntityManager, a: SharingAgreementEntity): Promise<SharingAgreementEntity> {
    if (!a.revokedAt) {
      const [[row]] = await em.query<[{ revoked_at: Date }[], number]>(`UPDATE sharing_agreements SET revoked_at = now() WHERE id = $1 RETURNING revoked_at`, [a.id]);
      a.revokedAt = row.revoked_at;
    }
    return a;
  }

  private async insertVersion(em: EntityManager, v: Omit<SharingAgreementEntity, 'id' | 'createdAt' | 'revokedAt' | 'supersededAt'>): Promise<SharingAgreementEntity> {
    const repo = em.getRepository(SharingAgreementEntity);
    const entity = repo.create({ ...v, revokedAt: null, supersededAt: null });
    await repo.insert(entity);
    return repo.findOneByOrFail({ id: entity.id });
  }

  private async dbNow(): Promise<Date> {
    return (await this.dataSource.query<{ now: Date }[]>(`SELECT now() AS now`))[0].now;
  }
}
