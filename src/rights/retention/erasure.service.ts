import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainError } from '../../common/errors/domain-error';
import type { Locale } from '../../common/locale';
import { sha256Hex } from '../../common/hashing';
import { uuid7 } from '../../common/uuid7';
import { MailerService } from '../../notifications/email/mailer.service';
import { RequestRegister } from '../../requests/request-register.service';
import type { Hold } from './erasure.entity';
import { holdsOf } from './holds';
import { erasureAnswer, erasureEmail } from './erasure-texts';

/**
 * Erasure (GDPR Art. 17; docs/retention.md, "Erasure"): in one transaction, everything that may
 * go now goes, what a retention rule keeps is held back with its ground and its earliest date,
 * the recipients that received data are recorded to be told, and the learner gets the answer by
 * email while their address still exists. Afterwards the learner is invisible to every recipient
 * (the gate excludes erased learners), their token resolves to nothing, and no email goes out.
 */
@Injectable()
export class ErasureService {
  constructor(
    private readonly register: RequestRegister,
    private readonly mailer: MailerService,
  ) {}

  async erase(em: EntityManager, learnerId: string, requestId: string, by: string): Promise<Hold[]> {
    const [learner] = await em.query<{ name: string; email: string; locale: Locale; erasedAt: Date | null }[]>(
      `SELECT name, email, locale, erased_at AS "erasedAt" FROM learners WHERE id = $1 FOR UPDATE`,
      [learnerId],
    );
    if (!learner) throw DomainError.notFound('Learner');
    if (learner.erasedAt) throw DomainError.badInput('kind', 'this learner is already erased');
    const enrolmentIds = (await em.query<{ id: string }[]>(`SELECT id FROM enrolments WHERE learner_id = $1`, [learnerId])).map((r) => r.id);

    // Recipients that received data about the learner are to be told to delete it (Art. 17(2), 19).
    await em.query(
      `INSERT INTO recipient_notices (id, recipient_id, learner_id, reason)
       SELECT gen_random_uuid(), r.recipient_id, $1, 'ERASURE' FROM (SELECT DISTINCT recipient_id FROM disclosures WHERE learner_id = $1) r`,
      [learnerId],
    );
    // Other open requests are overtaken by the erasure (an export being made is cancelled with them).
    await em.query(
      `UPDATE data_subject_requests SET status = 'ANSWERED', answered_at = now(), answered_by = $3, answer = 'Closed: all your data was erased by request ' || $2
        WHERE learner_id = $1 AND id <> $2 AND status IN ('RECEIVED', 'IN_PROGRESS')`,
      [learnerId, requestId, by],
    );
    // An export being made holds its row for the build: rather than wait on it (and time out),
    // the learner is asked to try again in a minute.
    try {
      await em.query(`SELECT id FROM learner_exports WHERE learner_id = $1 FOR UPDATE NOWAIT`, [learnerId]);
    } catch (e) {
      if ((e as { code?: string; driverError?: { code?: string } }).driverError?.code === '55P03' || (e as { code?: string }).code === '55P03') {
        throw DomainError.conflict('kind', 'a copy of your data is being made right now: ask for the erasure again in a minute');
      }
      throw e;
    }
    // What may go now: the inbox, exports, corrections, levers, employments, progress and results.
    await em.query(`DELETE FROM notifications WHERE learner_id = $1`, [learnerId]);
    await em.query(`DELETE FROM learner_exports WHERE learner_id = $1`, [learnerId]);
    await em.query(`DELETE FROM learner_changes WHERE learner_id = $1`, [learnerId]);
    await em.query(`DELETE FROM objections WHERE learner_id = $1`, [learnerId]);
    await em.query(`DELETE FROM restrictions WHERE learner_id = $1`, [learnerId]);
    await em.query(`DELETE FROM employments WHERE learner_id = $1`, [learnerId]);
    await em.query(`DELETE FROM assessment_results WHERE enrolment_id = ANY($1::uuid[])`, [enrolmentIds]);
    await em.query(
      `UPDATE enrolments SET progress_percent = 0, time_spent_minutes = 0, last_activity_at = NULL, changed_at = '{}'::jsonb WHERE learner_id = $1`,
      [learnerId],
    );
    // Consents and study contracts that never allowed a disclosure go; those that did are the
    // proof of the ledger entries that cite them and are held with them.
    await em.query(
      `DELETE FROM sharing_agreements a WHERE a.learner_id = $1 AND NOT EXISTS (
         SELECT 1 FROM disclosures d,
                LATERAL jsonb_array_elements(CASE WHEN d.content = '' THEN '[]'::jsonb ELSE d.content::jsonb->'items' END) i,
                LATERAL jsonb_array_elements(COALESCE(i->'grants', i->'categories')) g
          WHERE d.learner_id = $1 AND (g->>'agreementVersionId')::uuid = a.id)`,
      [learnerId],
    );
    // Identity: a pseudonym; the subject at the identity provider goes, so its tokens find nobody.
    await em.query(
      `UPDATE learners SET name = 'Erased learner', email = 'erased-' || id || '@erased.invalid', external_subject_id = NULL, erased_at = now() WHERE id = $1`,
      [learnerId],
    );
    const holds = await holdsOf(em, learnerId);
    await em.query(`INSERT INTO erasures (learner_id, request_id, holds, completed_at) VALUES ($1, $2, $3, CASE WHEN $4 THEN now() END)`, [
      learnerId,
      requestId,
      JSON.stringify(holds),
      holds.length === 0,
    ]);
    await this.register.answer(requestId, erasureAnswer(holds), by, em, { inform: false });
    // The answer, while the address still exists (it is gone when this commits): sent before the
    // commit, so a failed send rolls the erasure back and it can be asked again.
    const mail = erasureEmail(learner.locale, learner.name, holds);
    await this.mailer.send({
      to: learner.email,
      ...mail,
      messageId: `<${sha256Hex(`erasure:${requestId}`).slice(0, 40)}@results-sharing-api>`,
      headers: { 'X-Request-Id-Erasure': requestId, 'X-Erasure-Id': uuid7() },
    });
    return holds;
  }
}
