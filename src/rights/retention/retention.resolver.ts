import { Args, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Actor } from '../../auth/actor';
import { Allow, CurrentActor } from '../../auth/auth.decorators';
import { DomainError } from '../../common/errors/domain-error';
import { EVENTS_OF_KIND, RetentionRuleEntity } from './retention-rule.entity';
import { RetentionRuleModel, RetentionRunModel, SetRetentionRuleInput } from './retention.model';

/** Retention rules as data, managed by provider staff; the retention job's reports (docs/retention.md). */
@Resolver()
export class RetentionResolver {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Query(() => [RetentionRuleModel], { description: 'Provider staff: the retention rules in force.' })
  @Allow('PROVIDER_STAFF')
  retentionRules() {
    return this.dataSource.getRepository(RetentionRuleEntity).find({ order: { recordKind: 'ASC', accreditationBody: 'ASC' } });
  }

  @Mutation(() => RetentionRuleModel, {
    description: 'Provider staff: set (or add, for an accreditation body) a retention rule. It applies to the next erasure and the next retention run.',
  })
  @Allow('PROVIDER_STAFF')
  async setRetentionRule(@CurrentActor() actor: Actor, @Args('input') input: SetRetentionRuleInput) {
    const body = input.accreditationBody?.trim() ?? '';
    if (body && input.recordKind !== 'CERTIFICATE') throw DomainError.badInput('input.accreditationBody', 'only certificate rules are per accreditation body');
    const allowed = EVENTS_OF_KIND[input.recordKind];
    const countedFrom = input.countedFrom ?? allowed[0];
    if (!allowed.includes(countedFrom)) throw DomainError.badInput('input.countedFrom', `${input.recordKind} is counted from ${allowed.join(' or ')}`);
    await this.dataSource.query(
      `INSERT INTO retention_rules (record_kind, accreditation_body, legal_ground, period_months, counted_from, updated_by, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, now())
       ON CONFLICT (record_kind, accreditation_body) DO UPDATE SET legal_ground = EXCLUDED.legal_ground, period_months = EXCLUDED.period_months,
              counted_from = EXCLUDED.counted_from, updated_by = EXCLUDED.updated_by, updated_at = now()`,
      [input.recordKind, body, input.legalGround, input.periodMonths, countedFrom, actor.subject],
    );
    return this.dataSource.getRepository(RetentionRuleEntity).findOneByOrFail({ recordKind: input.recordKind, accreditationBody: body });
  }

  @Query(() => [RetentionRunModel], { description: 'Provider staff: the latest runs of the retention job and what each did.' })
  @Allow('PROVIDER_STAFF')
  async retentionRuns(@Args('last', { type: () => Int, defaultValue: 20 }) last: number) {
    if (last < 1 || last > 500) throw DomainError.badInput('last', 'must be 1 to 500');
    const rows = await this.dataSource.query<{ id: string; startedAt: Date; finishedAt: Date | null; counts: Record<string, number> }[]>(
      `SELECT id, started_at AS "startedAt", finished_at AS "finishedAt", counts FROM retention_runs ORDER BY id DESC LIMIT $1`,
      [last],
    );
    return rows.map((r) => ({ ...r, counts: Object.entries(r.counts).map(([kind, n]) => ({ kind, rows: n })) }));
  }
}
