import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { ROOT_LOGGER_TOKEN } from '../../common/logging/root-logger.token';
import { uuid7 } from '../../common/uuid7';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { QUEUES, recurring } from '../../outbox/job-queue';
import { JOB_QUEUE } from '../../outbox/job-queue.provider';
import { retireIntoAnalysis } from '../analysis/analysis-store';
import type { Hold } from './erasure.entity';

export interface RetentionOptions {
  batchSize?: number;
  /** Called after each committed batch (a test may throw here: the crash it simulates). */
  onBatch?: (kind: string, rows: number) => void;
}

/**
 * The retention job (docs/retention.md, "The retention job"): daily, wherever workers run, it
 * erases what erasures held back once its date has come, and, for every learner, deletes
 * certificates and enrolment administration past their periods, purges ledger entries past their
 * proof period, and deletes answered requests past theirs. Every step works in batches of
 * RETENTION_BATCH_SIZE rows, each its own short transaction (no table-wide lock, no long
 * transaction), selecting only what is still due: running it twice changes nothing the second
 * time, and a run that dies half-way is finished by the next. Each run's counts are kept
 * (`retention_runs`, the `retentionRuns` query) and logged.
 */
@Injectable()
export class RetentionJob implements OnApplicationBootstrap {
  constructor(
    @Inject(JOB_QUEUE) private readonly boss: PgBoss,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER_TOKEN) private readonly logger: Logger,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.notifications.workersInProcess) return;
    await recurring(this.boss, QUEUES.retention, { cron: this.config.rights.retentionCron, tz: 'Europe/Amsterdam', pollingIntervalSeconds: this.config.notifications.pollSeconds }, () => this.run());
  }

  async run(opts: RetentionOptions = {}): Promise<Record<string, number>> {
    const batch = opts.batchSize ?? this.config.rights.retentionBatchSize;
    const runId = uuid7();
    await this.dataSource.query(`INSERT INTO retention_runs (id, started_at) VALUES ($1, now())`, [runId]);
    const counts: Record<string, number> = {};
    const add = (kind: string, n: number) => {
      counts[kind] = (counts[kind] ?? 0) + n;
      opts.onBatch?.(kind, n);
    };
    /** Repeats one batch statement (returning its row count) until nothing is left. */
    const drain = async (kind: string, statement: (limit: number) => Promise<number>) => {
      for (;;) {
        const n = await statement(batch);
        if (n === 0) return;
        add(kind, n);
      }
    };
    const affected = async (sql: string, params: unknown[]) => (await this.dataSource.query<[unknown, number]>(sql, params))[1];
    const today = `(now() AT TIME ZONE 'Europe/Amsterdam')::date`;

    // 1. Erasures: what was held goes on its date.
    const due = await this.dataSource.query<{ learnerId: string; holds: Hold[] }[]>(
      `SELECT learner_id AS "learnerId", holds FROM erasures WHERE completed_at IS NULL
          AND EXISTS (SELECT 1 FROM jsonb_array_elements(holds) h WHERE NOT h ? 'erasedAt' AND (h->>'until')::date <= ${today})`,
    );
    const [{ today: day }] = await this.dataSource.query<{ today: string }[]>(`SELECT to_char(${today}, 'YYYY-MM-DD') AS today`);
    for (const erasure of due) {
      // Certificates before the enrolments they belong to.
      const order = ['CERTIFICATE', 'ENROLMENT_ADMINISTRATION', 'LEDGER_ENTRY', 'LEARNER_REQUEST'];
      const isRipe = (h: Hold) => h.erasedAt !== undefined || h.until <= day;
      const enrolmentsMayGo = erasure.holds.every((h) => h.recordKind !== 'ENROLMENT_ADMINISTRATION' || isRipe(h));
      const ripe = erasure.holds.filter((h) => !h.erasedAt && isRipe(h)).sort((a, b) => order.indexOf(a.recordKind) - order.indexOf(b.recordKind));
      for (const h of ripe) {
        const id = erasure.learnerId;
        if (h.recordKind === 'CERTIFICATE') {
          await drain('CERTIFICATE', (limit) =>
            affected(`DELETE FROM certificates WHERE id IN (SELECT x.id FROM certificates x JOIN enrolments e ON e.id = x.enrolment_id WHERE e.learner_id = $1 LIMIT $2)`, [id, limit]),
          );
          // Enrolments kept only for their certificates go with them once their own date has passed.
          if (enrolmentsMayGo) await drain('ENROLMENT_ADMINISTRATION', (limit) => this.deleteEnrolments(`e.learner_id = $1`, [id], limit));
        } else if (h.recordKind === 'ENROLMENT_ADMINISTRATION') {
          // Enrolments whose certificates are still held go with them, on the certificates' date.
          await drain('ENROLMENT_ADMINISTRATION', (limit) =>
            this.deleteEnrolments(`e.learner_id = $1 AND NOT EXISTS (SELECT 1 FROM certificates x WHERE x.enrolment_id = e.id)`, [id], limit),
          );
        } else if (h.recordKind === 'LEDGER_ENTRY') {
          await drain('LEDGER_ENTRY', (limit) => this.purgeLedger(`learner_id = $2`, limit, [id]));
          // The purge skips entries still inside the ledger's proof period (raised since the
          // erasure?): then the hold, and the consents that prove those entries, stay for now.
          const [left] = await this.dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM disclosures WHERE learner_id = $1 AND purged_at IS NULL`, [id]);
          if (left.n > 0) continue;
          // The consents and contracts that were the proof of those entries go with them.
          add('AGREEMENT_PROOF', await affected(`DELETE FROM sharing_agreements WHERE learner_id = $1`, [id]));
        } else if (h.recordKind === 'LEARNER_REQUEST') {
          await drain('LEARNER_REQUEST', (limit) => affected(`DELETE FROM data_subject_requests WHERE id IN (SELECT id FROM data_subject_requests WHERE learner_id = $1 LIMIT $2)`, [id, limit]));
        }
        // Marked one hold at a time: a crash after this point does not repeat the hold's work.
        await this.dataSource.query(
          `UPDATE erasures SET holds = (SELECT jsonb_agg(CASE WHEN x->>'recordKind' = $2 THEN x || jsonb_build_object('erasedAt', now()) ELSE x END) FROM jsonb_array_elements(holds) x)
            WHERE learner_id = $1`,
          [id, h.recordKind],
        );
      }
      // Done when nothing is held any more. There is no address left to tell the learner: the
      // answer to their request named these dates (docs/retention.md).
      const [{ n }] = await this.dataSource.query<[{ n: number }[], number]>(
        `UPDATE erasures SET completed_at = now(), not_told_reason = 'no address is kept after erasure; the answer to the erasure request named this date'
          WHERE learner_id = $1 AND completed_at IS NULL AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(holds) h WHERE NOT h ? 'erasedAt')
          RETURNING 1 AS n`,
        [erasure.learnerId],
      ).then(([rows]) => [{ n: rows.length }]);
      if (n) add('ERASURE_COMPLETED', n);
    }

    // 2. Certificates and enrolment administration past their period, for everyone: a certificate
    // after its body's period (or the default) from its issue; an enrolment after the
    // administration period from its end, once it has no certificate left.
    const rule = (kind: string) => `(SELECT make_interval(months => period_months) FROM retention_rules WHERE record_kind = '${kind}' AND accreditation_body = '')`;
    await drain('CERTIFICATE', (limit) =>
      affected(
        `DELETE FROM certificates WHERE id IN (
           SELECT x.id FROM certificates x JOIN enrolments e ON e.id = x.enrolment_id JOIN courses c ON c.id = e.course_id
            WHERE x.issued_at < now() - COALESCE((SELECT make_interval(months => period_months) FROM retention_rules
                                                   WHERE record_kind = 'CERTIFICATE' AND accreditation_body <> '' AND accreditation_body = c.accreditation_body), ${rule('CERTIFICATE')})
            LIMIT $1)`,
        [limit],
      ),
    );
    await drain('ENROLMENT_ADMINISTRATION', (limit) =>
      this.deleteEnrolments(
        `e.status IN ('COMPLETED', 'WITHDRAWN') AND COALESCE(e.completed_at, e.updated_at) < now() - ${rule('ENROLMENT_ADMINISTRATION')}
         AND NOT EXISTS (SELECT 1 FROM certificates x WHERE x.enrolment_id = e.id)`,
        [],
        limit,
      ),
    );

    // 3. Ledger entries past their proof period, for everyone (content goes, the hash stays).
    await drain('LEDGER_ENTRY', (limit) =>
      this.purgeLedger(`disclosed_at < now() - GREATEST((SELECT make_interval(months => period_months) FROM retention_rules WHERE record_kind = 'LEDGER_ENTRY' AND accreditation_body = ''), (SELECT proof_period FROM ledger_policy))`, limit, []),
    );
    // 4. Answered requests past their proof period, for everyone.
    await drain('LEARNER_REQUEST', (limit) =>
      affected(
        `DELETE FROM data_subject_requests WHERE id IN (SELECT id FROM data_subject_requests WHERE answered_at IS NOT NULL
            AND answered_at < now() - (SELECT make_interval(months => period_months) FROM retention_rules WHERE record_kind = 'LEARNER_REQUEST' AND accreditation_body = '') LIMIT $1)`,
        [limit],
      ),
    );
    await this.dataSource.query(`UPDATE retention_runs SET finished_at = now(), counts = $2 WHERE id = $1`, [runId, JSON.stringify(counts)]);
    this.logger.info({ runId, counts }, 'retention run');
    return counts;
  }

  /**
   * One batch of enrolments deleted, their counts first added to the anonymised analysis in the
   * same transaction (src/rights/analysis/analysis-store.ts), so erased learners still count.
   */
  private async deleteEnrolments(where: string, params: unknown[], limit: number): Promise<number> {
    return this.dataSource.transaction(async (em) => {
      const ids = (await em.query<{ id: string }[]>(`SELECT e.id FROM enrolments e WHERE ${where} ORDER BY e.id LIMIT ${Number(limit)} FOR UPDATE`, params)).map((r) => r.id);
      if (ids.length === 0) return 0;
      await retireIntoAnalysis(em, ids);
      await em.query(`DELETE FROM enrolments WHERE id = ANY($1::uuid[])`, [ids]);
      return ids.length;
    });
  }

  /** One batch of the ledger purge, through the one function allowed to do it (ledger_purge). */
  private async purgeLedger(where: string, limit: number, params: unknown[]): Promise<number> {
    const [{ n }] = await this.dataSource.query<{ n: number }[]>(
      `SELECT ledger_purge(ARRAY(SELECT id FROM disclosures WHERE purged_at IS NULL AND ${where} ORDER BY id LIMIT $1)) AS n`,
      [limit, ...params],
    );
    return n;
  }
}
