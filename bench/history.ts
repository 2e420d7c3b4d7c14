import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DisclosureLedgerService } from '../src/disclosures/disclosure-ledger.service';
import { BENCH } from './seed';

/** The learner whose history the export and the learner's own connections are measured on: the employer's first by id. */
export async function historyLearner(db: DataSource): Promise<string> {
  const [{ id }] = await db.query<{ id: string }[]>(
    `SELECT l.id FROM learners l JOIN employments e ON e.learner_id = l.id WHERE e.employer_id = $1 ORDER BY l.id LIMIT 1`,
    [BENCH.employerId],
  );
  return id;
}

/**
 * At least `count` disclosures (and so inbox rows) in the learner's history, written through the
 * ledger as pages would write them, 500 entries a call; kept in the bench database. Their emails
 * are marked sent, so a later run's worker phase does not drain them.
 */
export async function ensureHistory(app: INestApplication, learnerId: string, count: number): Promise<number> {
  const db = app.get(DataSource);
  const have = Number((await db.query(`SELECT count(*) AS n FROM disclosures WHERE learner_id = $1`, [learnerId]))[0].n);
  if (have >= count) return have;
  const { itemOf } = await import('../src/disclosures/disclosure-item');
  const { ledgerEntry } = await import('../src/disclosures/disclosure-ledger.service');
  const enrolments = await db.query<{ id: string; courseId: string }[]>(`SELECT id, course_id AS "courseId" FROM enrolments WHERE learner_id = $1`, [learnerId]);
  const [agreement] = await db.query<{ id: string; agreementId: string; version: number; basis: 'PROCESSOR' }[]>(
    `SELECT id, agreement_id AS "agreementId", version, basis FROM sharing_agreements WHERE recipient_id = $1 AND superseded_at IS NULL ORDER BY created_at LIMIT 1`,
    [BENCH.employerId],
  );
  const grant = { basis: agreement.basis, agreementId: agreement.agreementId, agreementVersionId: agreement.id, agreementVersion: agreement.version, onBehalfOf: null };
  const items = enrolments.map((e) => itemOf(e.id, e.courseId, [{ category: 'PROGRESS', grant }, { category: 'COMPLETION', grant }]));
  const ledger = app.get(DisclosureLedgerService);
  for (let done = have; done < count; ) {
    const now = Date.now();
    const request = { disclosedAt: new Date(now).toISOString(), requestId: `bench-history-${done}`, operationName: 'BenchHistory', recipientId: BENCH.employerId, actorSubject: 'bench', apiClientId: null };
    const entries = Array.from({ length: Math.min(500, count - done) }, () => ledgerEntry(request, 'DISCLOSURE', learnerId, { items }, now));
    await ledger.write({ ...request, entries });
    done += entries.length;
  }
  await db.query(`UPDATE notifications SET emailed_at = now() WHERE learner_id = $1 AND emailed_at IS NULL`, [learnerId]);
  return Number((await db.query(`SELECT count(*) AS n FROM disclosures WHERE learner_id = $1`, [learnerId]))[0].n);
}
