import type { Lean } from '../common/database/json-rows';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomInt } from 'node:crypto';
import { DataSource, type QueryRunner } from 'typeorm';
import type { LedgerEntryKind } from './disclosure.entity';
import type { Actor } from '../auth/actor';
import { uuid7 } from '../common/uuid7';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { emailJob } from '../outbox/job-queue';
import type { GatedView } from '../sharing/gate/request-view';
import type { Decision } from '../sharing/gate/sharing-rules';
import type { EnrolmentEntity } from '../enrolments/enrolment.entity';
import { ContentWriter, type DisclosureGrant, type DisclosureItem } from './disclosure-item';
import { DISCLOSURE_CATEGORIES, type DisclosureCategory } from '../common/disclosure-category';
import { disclosuresWritten, ledgerWriteSeconds } from '../common/metrics';
import { entryHasher, merkleRoot, type EntryHasher, type LedgerRequestFacts } from './ledger-hash';
import { GATED_CONNECTION } from '../common/database/gated-connection';
import { mapInTurns } from '../common/graphql/in-turns';

const ENTRIES_PER_TURN = 50;

export interface DisclosureContext {
  requestId: string;
  operationName: string | null;
  actor: Actor;
}

export type { LedgerRequestFacts };

/** What one request writes: the request's facts once, then one entry per learner. */
export interface LedgerBatchInput extends LedgerRequestFacts {
  entries: LedgerEntryInput[];
}

export interface LedgerEntryInput {
  id: string;
  notificationId: string;
  learnerId: string;
  /** What was disclosed about this learner, as exact JSON; the hash covers it and the entry's facts (ledger-hash.ts). */
  content: string;
  entryHash: string;
}

/**
 * One entry of a batch: its id and its inbox row's id (time-ordered, at the batch's time), and
 * its content hashed together with its facts (docs/ledger-and-notifications.md, "Tamper evidence").
 */
export function ledgerEntry(request: LedgerRequestFacts, kind: LedgerEntryKind, learnerId: string, body: { items: DisclosureItem[]; reason?: string }, at: number): LedgerEntryInput {
  return ledgerEntryOf(entryHasher(request, kind), learnerId, JSON.stringify(body), at);
}

/** The same for a content already written as text (ContentWriter), with the batch's hasher. */
function ledgerEntryOf(hasher: EntryHasher, learnerId: string, content: string, at: number): LedgerEntryInput {
  const id = uuid7(at);
  return { id, notificationId: uuid7(at), learnerId, content, entryHash: hasher(id, learnerId, content) };
}

/** An enrolment and the categories marked as disclosed of it (bit i: DISCLOSURE_CATEGORIES[i]; EnrolmentGate). */
interface Marked {
  enrolment: Lean<EnrolmentEntity>;
  marks: number;
}

/**
 * One enrolment's item: each category marked as disclosed, in the canonical order, with the
 * agreement that allowed it. `grants` keeps one grant object per decision for the request, so the
 * writer's fragments are looked up by it (ContentWriter).
 */
function itemFor(writer: ContentWriter, grants: Map<Decision, DisclosureGrant>, view: GatedView, { enrolment, marks }: Marked): string {
  const enrolmentId = enrolment.id;
  const gate = view.gateOf(enrolmentId);
  const disclosed: { category: DisclosureCategory; grant: DisclosureGrant }[] = [];
  for (let i = 0; i < DISCLOSURE_CATEGORIES.length; i++) {
    const category = DISCLOSURE_CATEGORIES[i];
    if ((marks & (1 << i)) === 0) continue;
    const d = gate.decision(i);
    // Only values the gate allowed can have been marked; anything else would be a bug.
    if (!d.allowed) throw new Error(`disclosed ${category} of ${enrolmentId} without an allowing decision`);
    let grant = grants.get(d);
    if (!grant) {
      const { agreementId, id: agreementVersionId, version: agreementVersion } = d.agreement;
      grants.set(d, (grant = { basis: d.basis, agreementId, agreementVersionId, agreementVersion, onBehalfOf: d.onBehalfOf }));
    }
    disclosed.push({ category, grant });
  }
  return writer.item(enrolmentId, enrolment.courseId, disclosed);
}

/**
 * The disclosure ledger (docs/ledger-and-notifications.md): one entry per (request, learner), written before the response
 * leaves, with the in-app notification and the email job in the same transaction. If any of it
 * fails, the whole transaction rolls back and the caller fails the response (fail closed).
 */
@Injectable()
export class DisclosureLedgerService {
  constructor(
    @InjectDataSource(GATED_CONNECTION) private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Entries for what this request's view marked as disclosed, one per learner. Each entry's items
   * and content are written and hashed — for a 500-learner page ~20 ms of the API's CPU, a block
   * of the event loop long enough to matter — so they are made 50 learners per turn
   * (docs/benchmarks.md, "The longest event-loop block").
   */
  async entriesFor(view: GatedView, ctx: DisclosureContext): Promise<LedgerBatchInput> {
    // What was marked when the response was complete: a copy, so that nothing marked later (a
    // resolver of a branch abandoned for an error, still running) is recorded as disclosed.
    const byLearner = new Map<string, Marked[]>();
    for (const [enrolmentId, gate] of view.disclosed) {
      const enrolment = view.enrolment(enrolmentId);
      if (!enrolment) continue;
      const marked = { enrolment, marks: gate.marks };
      const list = byLearner.get(enrolment.learnerId);
      if (list) list.push(marked);
      else byLearner.set(enrolment.learnerId, [marked]);
    }
    // Something disclosed means a page with learners was decided, at the database's clock.
    if (byLearner.size > 0 && !view.decidedAt) throw new Error('disclosures without the time of their decision');
    const now = view.decidedAt?.getTime() ?? 0;
    const request: LedgerRequestFacts = {
      disclosedAt: new Date(now).toISOString(),
      requestId: ctx.requestId,
      operationName: ctx.operationName,
      recipientId: view.recipient!.id,
      actorSubject: ctx.actor.subject,
      apiClientId: ctx.actor.apiClientId ?? null,
    };
    // Each item written as text at once (the same bytes as itemOf's objects serialised).
    const writer = new ContentWriter();
    const grants = new Map<Decision, DisclosureGrant>();
    const hasher = entryHasher(request, 'DISCLOSURE');
    const entries = await mapInTurns([...byLearner], ENTRIES_PER_TURN, ([learnerId, marked]) =>
      ledgerEntryOf(hasher, learnerId, writer.content(marked.map((m) => itemFor(writer, grants, view, m))), now),
    );
    return { ...request, entries };
  }

  /**
   * Writes the entries as one link of one of several hash chains, their notifications and the
   * email job: one call of ledger_append(), one statement and so one transaction of its own — no
   * BEGIN or COMMIT to wait for (docs/ledger-and-notifications.md, "Batched").
   */
  async write(batch: LedgerBatchInput): Promise<void> {
    if (batch.entries.length === 0) return;
    const timer = ledgerWriteSeconds.startTimer();
    await this.dataSource.query(LEDGER_APPEND, this.appendParams(batch, 'DISCLOSURE', randomInt(this.config.ledger.chains)));
    timer();
    disclosuresWritten.inc(batch.entries.length);
  }

  /**
   * The same inside the caller's transaction: for the record that a recipient was told to delete
   * (ACCESS_ENDED, docs/events.md), which commits with the event that tells it.
   */
  async append(qr: QueryRunner, batch: LedgerBatchInput, kind: LedgerEntryKind, chain = randomInt(this.config.ledger.chains)): Promise<void> {
    if (batch.entries.length === 0) return;
    await qr.query(LEDGER_APPEND, this.appendParams(batch, kind, chain));
  }

  private appendParams(batch: LedgerBatchInput, kind: LedgerEntryKind, chain: number): unknown[] {
    const { entries } = batch;
    // Columns as arrays, not one JSON document: nothing for PostgreSQL to parse but the rows. The
    // contents as one text, a newline between entries (JSON.stringify never writes a raw
    // newline): no array literal to escape and unescape (migration LedgerContentsAsOneText).
    return [
      chain,
      merkleRoot(entries.map((e) => e.entryHash)),
      batch.disclosedAt,
      batch.requestId,
      batch.operationName,
      batch.recipientId,
      batch.actorSubject,
      batch.apiClientId,
      entries.map((e) => e.id),
      entries.map((e) => e.notificationId),
      entries.map((e) => e.learnerId),
      entries.map((e) => e.content).join('\n'),
      entries.map((e) => e.entryHash),
      kind,
      // The job as pg-boss's insert() takes it; ledger_append() writes the same row it would
      // (migration LedgerAppendWithEmailJob).
      JSON.stringify(emailJob([...new Set(entries.map((e) => e.learnerId))], this.config.notifications)),
    ];
  }
}

const LEDGER_APPEND = `SELECT ledger_append($1::smallint, $2, $3::timestamptz, $4, $5, $6::uuid, $7, $8, $9::uuid[], $10::uuid[], $11::uuid[], $12::text, $13::text[], $14::ledger_entry_kind, $15::jsonb)`;
