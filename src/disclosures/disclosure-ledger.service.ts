import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomInt } from 'node:crypto';
import type PgBoss from 'pg-boss';
import { DataSource } from 'typeorm';
import type { Actor } from '../auth/actor';
import { DISCLOSURE_CATEGORIES } from '../common/disclosure-category';
import { uuid7 } from '../common/uuid7';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { emailJob, inTransaction } from '../notifications/job-queue';
import { JOB_QUEUE } from '../notifications/job-queue.provider';
import type { GatedView } from '../sharing/request-view';
import type { DisclosureItem } from './disclosure-item';
import { merkleRoot, sha256Hex } from './ledger-hash';

export interface DisclosureContext {
  requestId: string;
  operationName: string | null;
  actor: Actor;
}

export interface LedgerEntryInput {
  id: string;
  notificationId: string;
  position: number;
  disclosedAt: string;
  requestId: string;
  operationName: string | null;
  recipientId: string;
  actorSubject: string;
  apiClientId: string | null;
  learnerId: string;
  items: DisclosureItem[];
  content: string;
  entryHash: string;
}

/**
 * The disclosure ledger (DESIGN §5): one entry per (request, learner), written before the response
 * leaves, with the in-app notification and the email job in the same transaction. If any of it
 * fails, the whole transaction rolls back and the caller fails the response (fail closed).
 */
@Injectable()
export class DisclosureLedgerService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(JOB_QUEUE) private readonly boss: PgBoss,
  ) {}

  /** Entries for what this request's view marked as disclosed, grouped per learner. */
  entriesFor(view: GatedView, ctx: DisclosureContext): LedgerEntryInput[] {
    const byLearner = new Map<string, DisclosureItem[]>();
    for (const [enrolmentId, categories] of view.disclosed) {
      const enrolment = view.enrolment(enrolmentId);
      if (!enrolment) continue;
      const item: DisclosureItem = { enrolmentId, courseId: enrolment.courseId, categories: [] };
      for (const category of DISCLOSURE_CATEGORIES.filter((c) => categories.has(c))) {
        const d = view.decision(enrolmentId, category);
        // Only values the gate allowed can have been marked; anything else would be a bug.
        if (!d.allowed) throw new Error(`disclosed ${category} of ${enrolmentId} without an allowing decision`);
        item.categories.push({
          category,
          basis: d.basis,
          agreementId: d.agreement.agreementId,
          agreementVersionId: d.agreement.id,
          agreementVersion: d.agreement.version,
          onBehalfOf: d.onBehalfOf,
        });
      }
      const list = byLearner.get(enrolment.learnerId) ?? [];
      list.push(item);
      byLearner.set(enrolment.learnerId, list);
    }
    const now = Date.now();
    const disclosedAt = new Date(now).toISOString();
    let position = 0;
    return [...byLearner].map(([learnerId, items]) => {
      const id = uuid7(now);
      const body = {
        id,
        disclosedAt,
        requestId: ctx.requestId,
        operationName: ctx.operationName,
        recipientId: view.recipient!.id,
        actorSubject: ctx.actor.subject,
        apiClientId: ctx.actor.apiClientId ?? null,
        learnerId,
        items,
      };
      const content = JSON.stringify(body);
      return { ...body, notificationId: uuid7(now), position: position++, content, entryHash: sha256Hex(content) };
    });
  }

  /**
   * Writes the entries as one link of one of several hash chains, their notifications and one
   * email job, in one transaction: BEGIN, ledger_append(), the job insert, COMMIT.
   */
  async write(entries: LedgerEntryInput[]): Promise<void> {
    if (entries.length === 0) return;
    const chain = randomInt(this.config.ledger.chains);
    const root = merkleRoot(entries.map((e) => e.entryHash));
    const job = emailJob([...new Set(entries.map((e) => e.learnerId))], this.config.notifications);
    const qr = this.dataSource.createQueryRunner();
    await qr.connect();
    try {
      await qr.startTransaction();
      await qr.query(`SELECT ledger_append($1::smallint, $2, $3::jsonb)`, [chain, root, JSON.stringify(entries)]);
      await this.boss.insert([job], inTransaction(qr));
      await qr.commitTransaction();
    } catch (e) {
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      throw e;
    } finally {
      await qr.release();
    }
  }
}
