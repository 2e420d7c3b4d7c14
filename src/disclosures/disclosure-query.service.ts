import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Actor } from '../auth/actor';
import { DomainError } from '../common/errors/domain-error';
import type { ConnectionShape } from '../common/pagination/connection';
import { paginate } from '../common/pagination/keyset';
import type { DisclosuresArgs } from './disclosure.model';
import { DisclosureEntity } from './disclosure.entity';

/**
 * Reading the ledger: a recipient lists what it received, a learner everything disclosed about
 * them, provider staff everything. Ids are time-ordered, so id order is disclosure order.
 */
@Injectable()
export class DisclosureQueryService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  list(actor: Actor, args: DisclosuresArgs): Promise<ConnectionShape<DisclosureEntity>> {
    const qb = this.dataSource.getRepository(DisclosureEntity).createQueryBuilder('d');
    switch (actor.kind) {
      case 'PROVIDER_STAFF':
        if (args.recipientId) qb.andWhere('d.recipient_id = :r', { r: args.recipientId });
        break;
      case 'EMPLOYER_CLIENT':
      case 'BROKER_CLIENT':
        if (args.recipientId && args.recipientId !== actor.organisationId) throw DomainError.badInput('recipientId', 'is for provider staff only');
        qb.andWhere('d.recipient_id = :r', { r: actor.organisationId });
        break;
      case 'LEARNER':
        qb.andWhere('d.learner_id = :me', { me: actor.learnerId });
        break;
    }
    if (args.learnerId) qb.andWhere('d.learner_id = :l', { l: args.learnerId });
    if (args.from) qb.andWhere('d.disclosed_at >= :from', { from: args.from });
    if (args.until) qb.andWhere('d.disclosed_at < :until', { until: args.until });
    return paginate(qb, args);
  }
}
