import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Actor } from '../auth/actor';
import { DomainError } from '../common/errors/domain-error';
import { isUuid } from '../common/uuid';
import { BrokerMandateEntity } from './broker-mandate.entity';
import type { ChangeBrokerMandateInput, CreateBrokerMandateInput } from './broker-mandate.inputs';
import { OrganisationService } from './organisation.service';

@Injectable()
export class BrokerMandateService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly organisations: OrganisationService,
  ) {}

  private get repo() {
    return this.dataSource.getRepository(BrokerMandateEntity);
  }

  async create(input: CreateBrokerMandateInput): Promise<BrokerMandateEntity> {
    if (input.validUntil && input.validUntil <= input.validFrom) {
      throw DomainError.badInput('input.validUntil', 'must be after validFrom');
    }
    if (input.categories.length > 0 && !input.permissions.includes('VIEW_RESULTS')) {
      throw DomainError.badInput('input.categories', 'categories only apply with the VIEW_RESULTS permission');
    }
    await this.organisations.requireKind(input.brokerId, 'BROKER', 'input.brokerId');
    await this.organisations.requireKind(input.employerId, 'EMPLOYER', 'input.employerId');
    const mandate = this.repo.create({ ...input, validUntil: input.validUntil ?? null, revokedAt: null });
    await this.repo.insert(mandate);
    return mandate;
  }

  async change(id: string, input: ChangeBrokerMandateInput): Promise<BrokerMandateEntity> {
    const mandate = isUuid(id) ? await this.repo.findOneBy({ id }) : null;
    if (!mandate) throw DomainError.notFound('Broker mandate');
    if (mandate.revokedAt) throw DomainError.badInput('id', 'a revoked mandate cannot change');
    const next = {
      validUntil: input.validUntil === undefined ? mandate.validUntil : input.validUntil,
      permissions: input.permissions ?? mandate.permissions,
      categories: input.categories ?? mandate.categories,
    };
    if (next.validUntil && next.validUntil <= mandate.validFrom) throw DomainError.badInput('input.validUntil', 'must be after validFrom');
    if (next.categories.length > 0 && !next.permissions.includes('VIEW_RESULTS')) {
      throw DomainError.badInput('input.categories', 'categories only apply with the VIEW_RESULTS permission');
    }
    await this.repo.update({ id }, next);
    return this.repo.findOneByOrFail({ id });
  }

  async revoke(id: string): Promise<BrokerMandateEntity> {
    const mandate = isUuid(id) ? await this.repo.findOneBy({ id }) : null;
    if (!mandate) throw DomainError.notFound('Broker mandate');
    if (!mandate.revokedAt) {
      // The database clock, like every instant the gate compares (docs/sharing-rules.md rule 5).
      const [[row]] = await this.dataSource.query<[{ revoked_at: Date }[], number]>(
        `UPDATE broker_mandates SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING revoked_at`,
        [id],
      );
      if (row) mandate.revokedAt = row.revoked_at;
      else return this.repo.findOneByOrFail({ id }); // revoked concurrently
    }
    return mandate;
  }

  /** Staff see all; an employer the mandates it gave; a broker the mandates it holds. */
  list(actor: Actor): Promise<BrokerMandateEntity[]> {
    const order = { createdAt: 'ASC' as const, id: 'ASC' as const };
    switch (actor.kind) {
      case 'PROVIDER_STAFF':
        return this.repo.find({ order });
      case 'EMPLOYER_CLIENT':
        return this.repo.find({ where: { employerId: actor.organisationId }, order });
      case 'BROKER_CLIENT':
        return this.repo.find({ where: { brokerId: actor.organisationId }, order });
      case 'LEARNER':
        return Promise.resolve([]);
    }
  }
}
