import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Brackets, DataSource, IsNull, type EntityManager } from 'typeorm';
import type { Actor } from '../../auth/actor';
import type { DisclosureCategory } from '../../common/disclosure-category';
import { DomainError } from '../../common/errors/domain-error';
import { isUuid } from '../../common/uuid';
import { CourseEntity } from '../../enrolments/course.entity';
import { EmploymentEntity } from '../../learners/employment.entity';
import { LearnerEntity } from '../../learners/learner.entity';
import { OrganisationEntity } from '../../organisations/organisation.entity';
import { VERIFIED_BY_LEARNER_TOKEN } from '../../requests/request-kinds';
import { RequestRegister } from '../../requests/request-register.service';
import { LearnerNotifier } from '../../outbox/learner-notifier.service';
import { SharingAgreementEntity } from './sharing-agreement.entity';
import type { ChangeSharingAgreementInput, CreateSharingAgreementInput, GrantConsentInput, SharingAgreementsArgs } from './sharing-agreement.model';
import { windowInForceSql } from '../../common/validity-window';
import { BASIS_RULES, basesWhere, sqlBasisList } from './basis-rules';

const LEARNERS_OWN_ACTS = sqlBasisList(basesWhere((r) => r.learnersOwnAct));

interface Terms {
  categories: DisclosureCategory[];
  courseIds: string[] | null;
  validFrom: Date;
  validUntil: Date | null;
  reference: string;
}

/**
 * Sharing agreements: who may create which, their scope and categories (all read from
 * basis-rules.ts), versioning and revocation. Every write checks its rules before it writes
 * anything. The rules in words: docs/sharing-rules.md rules 8 and 13.
 */
@Injectable()
export class SharingAgreementService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly notifier: LearnerNotifier,
    private readonly register: RequestRegister,
  ) {}

  async create(actor: Actor, input: CreateSharingAgreementInput): Promise<SharingAgreementEntity> {
    const rule = BASIS_RULES[input.basis];
    if (rule.learnersOwnAct) throw DomainError.badInput('input.basis', `${input.basis} is given by the learner only (grantConsent)`);
    if (!rule.madeBy.includes(actor.kind)) throw DomainError.forbidden(`${input.basis} agreements are made by provider staff`);
    if (rule.scope === 'EMPLOYEES' && input.learnerId) throw DomainError.badInput('input.learnerId', `a ${input.basis} agreement covers every employee of the recipient`);
    if (rule.scope === 'ONE_LEARNER' && !input.learnerId) throw DomainError.badInput('input.learnerId', `a ${input.basis} agreement names one learner`);
    // An organisation records its own agreements only, for its own employees only.
    if (actor.kind !== 'PROVIDER_STAFF' && input.recipientId !== actor.organisationId) {
      throw DomainError.badInput('input.recipientId', `an organisation records ${input.basis} agreements with itself as recipient`);
    }
    await this.requireOrganisation(input.recipientId, rule.recipients, 'input.recipientId');
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
      await this.informCovered(em, agreement);
      return agreement;
    });
  }

  /** The learner's own consent, to a recipient of their choosing (docs/sharing-rules.md rule 8). */
  async grantConsent(actor: Actor, input: GrantConsentInput): Promise<SharingAgreementEntity> {
    const rule = BASIS_RULES.CONSENT;
    await this.requireOrganisation(input.recipientId, rule.recipients, 'input.recipientId');
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
      if (rule.informs) await this.notifier.inform(em, [actor.learnerId!], rule.informs.kind, { recipientId: consent.recipientId, basis: 'CONSENT', agreementId: consent.agreementId });
      return consent;
    });
  }

  /** Withdrawal takes effect for every request that starts after it commits (database clock). */
  async withdrawConsent(actor: Actor, agreementId: string): Promise<SharingAgreementEntity> {
    return this.dataSource.transaction(async (em) => {
      const current = await this.current(em, agreementId);
      if (!current || !BASIS_RULES[current.basis].learnersOwnAct || current.learnerId !== actor.learnerId) throw DomainError.notFound('Consent');
      const wasActive = !current.revokedAt;
      const withdrawn = await this.stampRevoked(em, current);
      if (wasActive) {
        await this.notifier.inform(em, [actor.learnerId], 'CONSENT_WITHDRAWN', { recipientId: current.recipientId, basis: 'CONSENT', agreementId: current.agreementId });
        // Carried out at once, so registered as answered at once (docs/learner-rights.md).
        await this.register.recordAnswered(em, {
          learnerId: actor.learnerId,
          kind: 'CONSENT_WITHDRAWAL',
          channel: 'API',
          details: null,
          identityVerification: VERIFIED_BY_LEARNER_TOKEN,
          recordedBy: `learner:${actor.learnerId}`,
          answer: `Consent withdrawn (agreement ${current.agreementId}): nothing more is shared on that basis.`,
        });
      }
      return withdrawn;
    });
  }

  /** A change makes a new version; the previous one is superseded from the new one's creation. */
  async change(actor: Actor, agreementId: string, input: ChangeSharingAgreementInput): Promise<SharingAgreementEntity> {
    return this.dataSource.transaction(async (em) => {
      const current = await this.current(em, agreementId);
      if (!current || !this.mayManage(actor, current)) throw DomainError.notFound('Sharing agreement');
      // Consent is the learner's own act, kept as proof: nobody else may rewrite it.
      if (BASIS_RULES[current.basis].learnersOwnAct) throw DomainError.badInput('agreementId', 'a consent is changed only by the learner (withdraw and grant anew)');
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
      // A version that covers more than the one it replaces starts covering learners anew.
      if (widens(current, next)) await this.informCovered(em, next);
      return next;
    });
  }

  async revoke(actor: Actor, agreementId: string): Promise<SharingAgreementEntity> {
    return this.dataSource.transaction(async (em) => {
      const current = await this.current(em, agreementId);
      if (!current || !this.mayManage(actor, current)) throw DomainError.notFound('Sharing agreement');
      if (BASIS_RULES[current.basis].learnersOwnAct) throw DomainError.badInput('agreementId', 'consent is withdrawn by the learner');
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
        qb.andWhere(`(a.basis NOT IN (${LEARNERS_OWN_ACTS}) OR ${windowInForceSql('a', 'now()')})`);
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

  /**
   * A new (or reopened) employment brings the learner under the employer's employee-wide
   * agreements, in force now or later, whose basis tells its learners (legitimate interest): the
   * learner is told of each, in the transaction that records the employment
   * (docs/ledger-and-notifications.md, "Information duties").
   */
  async informNewEmployee(em: EntityManager, learnerIds: string[], employerId: string): Promise<void> {
    if (learnerIds.length === 0) return;
    const tellsEmployees = basesWhere((r) => r.scope === 'EMPLOYEES' && r.informs?.who === 'CURRENT_EMPLOYEES');
    if (tellsEmployees.length === 0) return;
    const agreements = await em.query<{ agreement_id: string; basis: SharingAgreementEntity['basis'] }[]>(
      `SELECT agreement_id, basis FROM sharing_agreements a
        WHERE a.recipient_id = $1 AND a.learner_id IS NULL AND a.superseded_at IS NULL AND a.basis IN (${sqlBasisList(tellsEmployees)})
          -- in force now or later: one that starts after the hire covers the employee from its start
          AND (a.revoked_at IS NULL OR a.revoked_at > now()) AND (a.valid_until IS NULL OR a.valid_until > now())
        ORDER BY a.created_at, a.id`,
      [employerId],
    );
    for (const a of agreements) {
      await this.notifier.inform(em, learnerIds, BASIS_RULES[a.basis].informs!.kind, { recipientId: employerId, basis: a.basis, agreementId: a.agreement_id });
    }
  }

  /** Learners are told when an agreement starts covering them, where its basis says so. */
  private async informCovered(em: EntityManager, agreement: SharingAgreementEntity): Promise<void> {
    const informs = BASIS_RULES[agreement.basis].informs;
    if (!informs) return;
    const covered = informs.who === 'THE_LEARNER' ? [agreement.learnerId!] : await this.currentEmployees(em, agreement.recipientId);
    await this.notifier.inform(em, covered, informs.kind, { recipientId: agreement.recipientId, basis: agreement.basis, agreementId: agreement.agreementId });
  }

  private async currentEmployees(em: EntityManager, employerId: string): Promise<string[]> {
    const rows = await em.query<{ id: string }[]>(
      // Employees now and those whose employment starts later: the agreement will cover them too.
      `SELECT DISTINCT learner_id AS id FROM employments
        WHERE employer_id = $1 AND (ended_on IS NULL OR ended_on >= (now() AT TIME ZONE 'Europe/Amsterdam')::date)`,
      [employerId],
    );
    return rows.map((r) => r.id);
  }

  /** Staff manage every agreement; an organisation those of a basis it may make, naming itself. */
  private mayManage(actor: Actor, a: SharingAgreementEntity): boolean {
    if (actor.kind === 'PROVIDER_STAFF') return true;
    return BASIS_RULES[a.basis].madeBy.includes(actor.kind) && a.recipientId === actor.organisationId;
  }

  private async checkTerms(basis: SharingAgreementEntity['basis'], t: Terms): Promise<Terms> {
    if (t.validUntil && t.validUntil <= t.validFrom) throw DomainError.badInput('input.validUntil', 'must be after validFrom');
    const allowed = BASIS_RULES[basis].categories;
    if (allowed) {
      const extra = t.categories.filter((c) => !allowed.includes(c));
      if (extra.length) throw DomainError.badInput('input.categories', `a ${basis} agreement covers only ${allowed.join(', ')} (data minimisation); not ${extra.join(', ')}`);
    }
    if (t.courseIds) {
      const found = await this.dataSource.getRepository(CourseEntity).countBy(t.courseIds.map((id) => ({ id })));
      if (found !== t.courseIds.length) throw DomainError.badInput('input.courseIds', 'names an unknown course');
    }
    return t;
  }

  private async requireOrganisation(id: string, kinds: readonly OrganisationEntity['kind'][], field: string): Promise<void> {
    const org = await this.dataSource.getRepository(OrganisationEntity).findOneBy({ id });
    if (!org || !kinds.includes(org.kind)) throw DomainError.badInput(field, `must be the id of an ${kinds.join(' or ').toLowerCase()}`);
  }

  /** Staff name any learner; an employer only one it has an employment record for. */
  private async requireLearnerFor(actor: Actor, learnerId: string, field: string): Promise<void> {
    const known =
      actor.kind === 'PROVIDER_STAFF'
        ? await this.dataSource.getRepository(LearnerEntity).existsBy({ id: learnerId })
        : // A claimed, unconfirmed employment (employment.entity.ts) gives the employer no say over the person.
          await this.dataSource.getRepository(EmploymentEntity).existsBy({ learnerId, employerId: actor.organisationId, claimedName: IsNull() });
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

/** Does the new version cover something the old did not: a category, a course, or time? */
function widens(old: SharingAgreementEntity, next: SharingAgreementEntity): boolean {
  if (next.categories.some((c) => !old.categories.includes(c))) return true;
  if (old.courseIds !== null && (next.courseIds === null || next.courseIds.some((c) => !old.courseIds!.includes(c)))) return true;
  if (next.validFrom < old.validFrom) return true;
  return old.validUntil !== null && (next.validUntil === null || next.validUntil > old.validUntil);
}
