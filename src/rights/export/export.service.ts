import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type PgBoss from 'pg-boss';
import { DataSource, type EntityManager } from 'typeorm';
import { DomainError } from '../../common/errors/domain-error';
import { isUuid } from '../../common/uuid';
import { uuid7 } from '../../common/uuid7';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { inTransaction, QUEUES } from '../../outbox/job-queue';
import { JOB_QUEUE } from '../../outbox/job-queue.provider';
import { LearnerNotifier } from '../../outbox/learner-notifier.service';
import { RequestRegister } from '../../requests/request-register.service';
import { ChunkSink } from './chunk-sink';
import { ExportReader } from './export-data';
import { writeJson } from './export-json';
import { writePdf } from './export-pdf';
import { LearnerExportEntity } from './learner-export.entity';

export interface ExportJob {
  exportId: string;
}

export const EXPORT_FORMATS = ['json', 'pdf'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * Exports of everything held about a learner (docs/learner-rights.md, "Export"). An export goes
 * to the data subject, not to a recipient: it is no disclosure and writes no ledger entry, but it
 * is recorded — in the learner's exports, and as the answer of the request it serves.
 */
@Injectable()
export class ExportService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(JOB_QUEUE) private readonly boss: PgBoss,
    private readonly notifier: LearnerNotifier,
    private readonly register: RequestRegister,
  ) {}

  /** A new export, built by the job queue once the caller's transaction commits. */
  async start(em: EntityManager, input: { learnerId: string; requestId: string | null; requestedBy: string }): Promise<LearnerExportEntity> {
    const id = uuid7();
    await em.query(
      `INSERT INTO learner_exports (id, learner_id, request_id, locale, requested_by) SELECT $1, id, $3, locale, $4 FROM learners WHERE id = $2`,
      [id, input.learnerId, input.requestId, input.requestedBy],
    );
    if (input.requestId) await em.query(`UPDATE data_subject_requests SET status = 'IN_PROGRESS' WHERE id = $1 AND status = 'RECEIVED'`, [input.requestId]);
    const job: PgBoss.JobInsert<ExportJob> = { name: QUEUES.learnerExport, data: { exportId: id }, retryLimit: 3, retryBackoff: true, retryDelay: 10, expireInSeconds: 900 };
    await this.boss.insert([job], inTransaction(em.queryRunner!));
    return em.getRepository(LearnerExportEntity).findOneByOrFail({ id });
  }

  /**
   * Builds both files in one transaction that also reads one snapshot of the data, so the JSON
   * and the PDF show the same moment and a crash leaves nothing half-written (the job is retried).
   * Then the learner is told, and the request it serves is answered.
   */
  async build(exportId: string): Promise<void> {
    await this.dataSource.transaction('REPEATABLE READ', async (em) => {
      const [row] = await em.query<{ learnerId: string; requestId: string | null; locale: 'nl' | 'en'; status: string; now: Date }[]>(
        `SELECT learner_id AS "learnerId", request_id AS "requestId", locale, status, now() FROM learner_exports WHERE id = $1 FOR UPDATE`,
        [exportId],
      );
      if (!row || row.status !== 'PENDING') return; // done already (a retried job), or gone
      await em.query(`DELETE FROM learner_export_chunks WHERE export_id = $1`, [exportId]);
      const meta = { exportId, generatedAt: row.now, locale: row.locale, controller: this.config.rights.controllerName };
      const json = new ChunkSink(em, exportId, 'json');
      await writeJson(new ExportReader(em, row.learnerId), json, meta);
      const jsonFile = await json.end();
      const pdf = new ChunkSink(em, exportId, 'pdf');
      await writePdf(new ExportReader(em, row.learnerId), pdf, meta);
      const pdfFile = await pdf.end();
      const [done] = await em.query<[{ expiresAt: Date }[], number]>(
        `UPDATE learner_exports SET status = 'READY', ready_at = now(), expires_at = now() + make_interval(days => $2),
                json_bytes = $3, json_sha256 = $4, pdf_bytes = $5, pdf_sha256 = $6
          WHERE id = $1 RETURNING expires_at AS "expiresAt"`,
        [exportId, this.config.rights.exportTtlDays, jsonFile.bytes, jsonFile.sha256, pdfFile.bytes, pdfFile.sha256],
      );
      await this.notifier.inform(em, [row.learnerId], 'EXPORT_READY', { exportId, expiresAt: done[0].expiresAt.toISOString(), ...(row.requestId ? { requestId: row.requestId } : {}) });
      if (row.requestId) {
        const [open] = await em.query<{ open: boolean }[]>(`SELECT status IN ('RECEIVED', 'IN_PROGRESS') AS open FROM data_subject_requests WHERE id = $1`, [row.requestId]);
        if (open?.open) {
          await this.register.answer(
            row.requestId,
            `A copy of all data held about you is ready: export ${exportId}, as PDF (${pdfFile.bytes} bytes, SHA-256 ${pdfFile.sha256}) and JSON (${jsonFile.bytes} bytes, SHA-256 ${jsonFile.sha256}). It can be downloaded until ${done[0].expiresAt.toISOString()}.`,
            'system:export',
            em,
          );
        }
      }
    });
  }

  /** After EXPORT_TTL_DAYS the files go; the row stays as the record of what was handed over. */
  async expire(): Promise<number> {
    // An export whose every attempt ended without a word (a killed worker, an expired job) would
    // stay PENDING for ever: after an hour it is FAILED, which staff see and can start again.
    await this.dataSource.query(`UPDATE learner_exports SET status = 'FAILED' WHERE status = 'PENDING' AND created_at < now() - interval '1 hour'`);
    return this.dataSource.transaction(async (em) => {
      const [expired] = await em.query<[{ id: string }[], number]>(
        `UPDATE learner_exports SET status = 'EXPIRED' WHERE status = 'READY' AND expires_at <= now() RETURNING id`,
      );
      if (expired.length) await em.query(`DELETE FROM learner_export_chunks WHERE export_id = ANY($1::uuid[])`, [expired.map((e) => e.id)]);
      return expired.length;
    });
  }

  async markFailed(exportId: string): Promise<void> {
    await this.dataSource.query(`UPDATE learner_exports SET status = 'FAILED' WHERE id = $1 AND status = 'PENDING'`, [exportId]);
  }

  /** One export; for a learner only their own (another's answers exactly like an unknown id). */
  async get(id: string, learnerId?: string): Promise<LearnerExportEntity> {
    const found = isUuid(id) ? await this.dataSource.getRepository(LearnerExportEntity).findOneBy({ id, ...(learnerId ? { learnerId } : {}) }) : null;
    if (!found) throw DomainError.notFound('Export');
    return found;
  }

  list(learnerId: string): Promise<LearnerExportEntity[]> {
    return this.dataSource.getRepository(LearnerExportEntity).find({ where: { learnerId }, order: { id: 'DESC' } });
  }

  /** The chunks of one file, in order, one at a time (a download never holds the whole file). */
  async *chunks(exportId: string, format: ExportFormat): AsyncGenerator<Buffer> {
    for (let seq = 0; ; seq++) {
      const [row] = await this.dataSource.query<{ data: Buffer }[]>(`SELECT data FROM learner_export_chunks WHERE export_id = $1 AND format = $2 AND seq = $3`, [exportId, format, seq]);
      if (!row) return;
      yield row.data;
    }
  }
}
