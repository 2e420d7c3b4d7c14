import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Actor } from '../auth/actor';
import { DomainError } from '../common/errors/domain-error';
import type { ConnectionShape } from '../common/pagination/connection';
import { paginate } from '../common/pagination/keyset';
import { isUuid } from '../common/uuid';
import type { CreateOrganisationInput, OrganisationsArgs, UpdateOrganisationInput } from './organisation.inputs';
import { OrganisationEntity } from './organisation.entity';

@Injectable()
export class OrganisationService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(OrganisationEntity);
  }

  list(args: OrganisationsArgs): Promise<ConnectionShape<OrganisationEntity>> {
    const qb = this.repo.createQueryBuilder('o');
    if (args.kind) qb.where('o.kind = :kind', { kind: args.kind });
    return paginate(qb, args);
  }

  /** Staff read any organisation; a client reads its own. Any other id answers like an unknown id. */
  async getVisible(actor: Actor, id: string): Promise<OrganisationEntity> {
    const visible = actor.kind === 'PROVIDER_STAFF' || actor.organisationId === id;
    const org = visible && isUuid(id) ? await this.repo.findOneBy({ id }) : null;
    if (!org) throw DomainError.notFound('Organisation');
    return org;
  }

  async create(input: CreateOrganisationInput): Promise<OrganisationEntity> {
    const org = this.repo.create({ ...input, chamberOfCommerceNumber: input.chamberOfCommerceNumber ?? null });
    await this.repo.insert(org);
    return org;
  }

  async update(id: string, input: UpdateOrganisationInput): Promise<OrganisationEntity> {
    const org = isUuid(id) ? await this.repo.findOneBy({ id }) : null;
    if (!org) throw DomainError.notFound('Organisation');
    if (input.name !== undefined) org.name = input.name;
    if (input.chamberOfCommerceNumber !== undefined) org.chamberOfCommerceNumber = input.chamberOfCommerceNumber;
    return this.repo.save(org);
  }

  async requireKind(id: string, kind: OrganisationEntity['kind'], field: string): Promise<OrganisationEntity> {
    const org = isUuid(id) ? await this.repo.findOneBy({ id }) : null;
    if (!org || org.kind !== kind) throw DomainError.badInput(field, `must be the id of an ${kind.toLowerCase()} organisation`);
    return org;
  }
}
