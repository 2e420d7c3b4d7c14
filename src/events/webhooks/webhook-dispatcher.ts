import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import { DataSource, type EntityManager } from 'typeorm';
import { ROOT_LOGGER_TOKEN } from '../../common/logging/root-logger.token';
import { webhookAttempts, webhookDeliverySeconds } from '../../common/metrics';
import { uuid7 } from '../../common/uuid7';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { writeEvents } from '../events-writer';
import { webhookPayload, type PayloadEvent } from './webhook-payload';
import { WebhookSender, type SendResult } from './webhook-sender';
import { signatureHeader } from './webhook-signing';

interface Claimed extends PayloadEvent {
  delivery_id: string;
  attempts: number;
  endpoint_id: string;
  url: string;
  secret: string;
  previous_secret: string | null;
  created_at: Date;
}

/**
 * The dispatcher's own transactions (claims, outcomes) do not wait for the WAL flush: at worst a
 * crash forgets a claim (the delivery is due again) or an outcome (it is sent again) — what
 * at-least-once delivery allows, and the receiver deduplicates on webhook-id. Nothing else is in
 * these transactions but an endpoint's disabling and its event, which the next failures redo.
 */
const NO_FLUSH_WAIT = `SET LOCAL synchronous_commit = off`;

interface Outcome {
  claimed: Claimed;
  result: SendResult;
}

/** The rows an outcome recording updated, and the endpoints it disabled. */
interface Recorded {
  rows: { id: string; status: string; endpoint_id: string }[];
  disabled: { id: string; owner_id: string }[];
}

/**
 * Delivers webhooks (docs/events.md, "Delivery"): at least once, in parallel, never more than an
 * endpoint's `max_in_flight` at a time over every process, retried with exponential backoff and
 * jitter, dead after WEBHOOK_MAX_ATTEMPTS; an endpoint failing WEBHOOK_DISABLE_AFTER_FAILURES
 * times in a row is disabled and its owner told (a `webhook_endpoint.disabled` event in its feed).
 *
 * Its state is the `webhook_deliveries` table, not a generic job queue: the owner reads it (dead
 * letters, attempts, last answer) and re-drives from it, and the cap per endpoint is a count over
 * it taken under the endpoint's row lock — pg-boss's singleton policy allows one active job per
 * key, not N, and fails a fetch that meets an active key. A claim is a lease: a dispatcher that
 * dies leaves its deliveries due again when their lease ends.
 */
@Injectable()
export class WebhookDispatcher {
  private readonly sender: WebhookSender;
  private inFlight = 0;
  private outcomes: Outcome[] = [];
  private readonly pending = new Set<Promise<void>>();
  /** Called when an attempt finishes: its slot is free and its outcome waits to be recorded. */
  onSettled: () => void = () => undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER_TOKEN) private readonly logger: Logger,
  ) {
    const e = config.events;
    this.sender = new WebhookSender({
      timeoutSeconds: e.webhookTimeoutSeconds,
      allowPrivateTargets: e.webhookAllowPrivateTargets,
      // Per host: endpoints may share one (paths of one portal); the cap per endpoint is the claim's.
      maxSockets: e.webhookConcurrency,
    });
  }

  /** Free slots of this dispatcher. */
  get capacity(): number {
    return this.config.events.webhookConcurrency - this.inFlight;
  }

  /** Claims due deliveries up to the free slots and starts them; returns how many it started. */
  async pump(): Promise<number> {
    const free = this.capacity;
    if (free <= 0) return 0;
    return this.start(await this.claim(free));
  }

  /**
   * The background loop's step: the outcomes gathered so far recorded, then the free slots claimed
   * again, in one transaction — its start, its setting and its commit once instead of twice
   * (flush() then pump(): docs/benchmarks.md, "Round 3, twelfth session"). The claim sees the
   * outcomes just recorded, as it would after a flush. Returns how many it started.
   */
  async step(): Promise<number> {
    const outcomes = this.outcomes;
    const free = this.capacity;
    if (outcomes.length === 0 && free <= 0) return 0;
    this.outcomes = [];
    let done: { recorded: Recorded | null; claimed: Claimed[]; claimFailed: Error | undefined };
    try {
      done = await this.dataSource.transaction(async (em) => {
        await em.query(NO_FLUSH_WAIT);
        if (outcomes.length === 0) return { recorded: null, claimed: await this.claimIn(em, free), claimFailed: undefined };
        const recorded = await this.recordIn(em, outcomes);
        if (free <= 0) return { recorded, claimed: [], claimFailed: undefined };
        // A claim that fails (a timeout, say) does not take the recording with it: the outcomes
        // commit as flush() would have committed them on their own.
        await em.query('SAVEPOINT claim');
        try {
          return { recorded, claimed: await this.claimIn(em, free), claimFailed: undefined };
        } catch (err) {
          await em.query('ROLLBACK TO SAVEPOINT claim');
          return { recorded, claimed: [], claimFailed: err instanceof Error ? err : new Error(String(err)) };
        }
      });
    } catch (err) {
      // Kept for the next step, as in flush(): an outcome is never dropped.
      this.outcomes.unshift(...outcomes);
      throw err;
    }
    if (done.recorded) this.committed(done.recorded);
    if (done.claimFailed !== undefined) throw done.claimFailed;
    return this.start(done.claimed);
  }

  /** Starts the claimed deliveries' attempts; returns how many. */
  private start(claimed: Claimed[]): number {
    for (const c of claimed) {
      this.inFlight++;
      const p = this.attempt(c).finally(() => {
        this.inFlight--;
        this.pending.delete(p);
        this.onSettled();
      });
      this.pending.add(p);
    }
    return claimed.length;
  }

  /** Everything started so far, finished and recorded (tests, shutdown). */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
    await this.flush();
  }

  /** One round for tests and the bench: claim, deliver, record. Returns how many were attempted. */
  async runOnce(): Promise<number> {
    const n = await this.pump();
    await this.settle();
    return n;
  }

  /** Records the outcomes gathered since the last flush, in one transaction. */
  async flush(): Promise<void> {
    const outcomes = this.outcomes;
    if (outcomes.length === 0) return;
    this.outcomes = [];
    try {
      await this.record(outcomes);
    } catch (err) {
      // Kept for the next flush (a deadlock or a lost connection): an outcome is never dropped.
      this.outcomes.unshift(...outcomes);
      throw err;
    }
  }

  private async record(outcomes: Outcome[]): Promise<void> {
    const recorded = await this.dataSource.transaction(async (em) => {
      await em.query(NO_FLUSH_WAIT);
      return this.recordIn(em, outcomes);
    });
    this.committed(recorded);
  }

  /** What a recording did, told (metrics, log lines) once its transaction has committed. */
  private committed({ rows, disabled }: Recorded): void {
    for (const r of rows)
      webhookAttempts.inc({
        outcome: r.status === 'DELIVERED' ? 'delivered' : r.status === 'FAILED' ? 'dead' : 'retry',
      });
    for (const d of disabled)
      this.logger.warn({ endpointId: d.id, ownerId: d.owner_id }, 'webhook endpoint disabled after repeated failures');
  }

  /** The outcomes' rows, their endpoints' runs of failures, and the endpoints that fail too often disabled, in `em`'s transaction. */
  private async recordIn(em: EntityManager, outcomes: Outcome[]): Promise<Recorded> {
    const e = this.config.events;
    const rows: { id: string; status: string; endpoint_id: string }[] = await em.query(
      `WITH done AS (UPDATE webhook_deliveries d SET
          status = CASE WHEN u.ok THEN 'DELIVERED' WHEN d.attempts >= $6 THEN 'FAILED' ELSE 'PENDING' END,
          delivered_at = CASE WHEN u.ok THEN now() END,
          next_attempt_at = CASE WHEN u.ok THEN d.next_attempt_at ELSE now() + u.delay * interval '1 second' END,
          lease_until = NULL, last_status = u.status, last_error = u.error
         FROM unnest($1::uuid[], $2::int[], $3::boolean[], $4::int[], $5::text[], $7::float8[]) AS u(id, attempts, ok, status, error, delay)
        WHERE d.id = u.id AND d.status = 'SENDING' AND d.attempts = u.attempts
        RETURNING d.id, d.status, d.endpoint_id)
       SELECT * FROM done`,
      [
        outcomes.map((o) => o.claimed.delivery_id),
        outcomes.map((o) => o.claimed.attempts),
        outcomes.map((o) => o.result.ok),
        outcomes.map((o) => o.result.status),
        outcomes.map((o) => o.result.error),
        e.webhookMaxAttempts,
        outcomes.map((o) =>
          retryDelaySeconds(
            o.claimed.attempts,
            e.webhookRetryBaseSeconds,
            e.webhookRetryMaxSeconds,
          ),
        ),
      ],
    );
    // Per endpoint: a success resets the run of failures; the failures after the last success count.
    // Only outcomes that were recorded: an attempt whose lease ran out belongs to a newer claim.
    const recorded = new Set(rows.map((r) => r.id));
    const runs = new Map<string, { reset: boolean; failures: number }>();
    for (const o of outcomes) {
      if (!recorded.has(o.claimed.delivery_id)) continue;
      const run = runs.get(o.claimed.endpoint_id) ?? { reset: false, failures: 0 };
      if (o.result.ok) runs.set(o.claimed.endpoint_id, { reset: true, failures: 0 });
      else runs.set(o.claimed.endpoint_id, { ...run, failures: run.failures + 1 });
    }
    // Endpoints in one order in every process: two recordings never wait on each other in a cycle
    // (and the claim that may follow in the same transaction waits on no lock: claimIn).
    const ordered = [...runs.keys()].sort();
    await em.query(`SELECT 1 FROM webhook_endpoints WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [ordered]);
    await em.query(
      `UPDATE webhook_endpoints w SET consecutive_failures = CASE WHEN u.reset THEN u.failures ELSE w.consecutive_failures + u.failures END
         FROM unnest($1::uuid[], $2::boolean[], $3::int[]) AS u(id, reset, failures) WHERE w.id = u.id`,
      [
        [...runs.keys()],
        [...runs.values()].map((r) => r.reset),
        [...runs.values()].map((r) => r.failures),
      ],
    );
    const disabled: { id: string; owner_id: string }[] = await em.query(
      `WITH off AS (UPDATE webhook_endpoints SET enabled = false, disabled_reason = $3, updated_at = now()
        WHERE id = ANY($1::uuid[]) AND enabled AND consecutive_failures >= $2 RETURNING id, owner_id)
       SELECT * FROM off`,
      [
        [...runs.keys()],
        e.webhookDisableAfterFailures,
        `disabled after ${e.webhookDisableAfterFailures} failed attempts in a row`,
      ],
    );
    if (disabled.length > 0) {
      const qr = em.queryRunner!;
      await writeEvents(
        qr,
        disabled.map((d) => ({
          id: uuid7(),
          recipientId: d.owner_id,
          type: 'webhook_endpoint.disabled' as const,
          endpointId: d.id,
          occurredAt: new Date(),
        })),
      );
    }
    return { rows, disabled };
  }

  /** One attempt; never rejects: whatever goes wrong is the attempt's outcome, recorded like any. */
  private async attempt(c: Claimed): Promise<void> {
    let result: SendResult;
    try {
      const payload = webhookPayload(c);
      const at = new Date();
      const secrets = c.previous_secret ? [c.secret, c.previous_secret] : [c.secret];
      const headers = {
        'webhook-id': c.id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': signatureHeader(secrets, c.id, at, payload),
      };
      result = await this.sender.send(c.url, headers, payload);
    } catch (e) {
      result = { ok: false, status: null, error: `not sent: ${e instanceof Error ? e.message : String(e)}`.slice(0, 500) };
    }
    if (result.ok)
      webhookDeliverySeconds.observe((Date.now() - new Date(c.created_at).getTime()) / 1000);
    this.outcomes.push({ claimed: c, result });
  }

  /**
   * Takes up to `limit` due deliveries, as many per endpoint as it has free slots: the endpoints
   * with something due are locked (SKIP LOCKED: another dispatcher takes other endpoints
   * meanwhile), their deliveries in flight counted, and the earliest due ones leased.
   */
  private async claim(limit: number): Promise<Claimed[]> {
    return this.dataSource.transaction(async (em) => {
      await em.query(NO_FLUSH_WAIT);
      return this.claimIn(em, limit);
    });
  }

  /** claim(), in `em`'s transaction. */
  private async claimIn(em: EntityManager, limit: number): Promise<Claimed[]> {
    const e = this.config.events;
    const lease = e.webhookTimeoutSeconds + 30;
    // A delivery whose lease ran out on its last attempt (its dispatcher died) is dead, not retried
    // forever. One whose row is locked is skipped, not waited for: its late outcome is being
    // recorded, and nothing in a claim waits on a lock — in step() it runs while the recording's
    // endpoint locks are held, and a wait here could close a cycle with another process's recording.
    await em.query(
      `UPDATE webhook_deliveries SET status = 'FAILED', lease_until = NULL, last_error = coalesce(last_error, 'no outcome recorded for the last attempt')
        WHERE id IN (SELECT id FROM webhook_deliveries WHERE status = 'SENDING' AND lease_until < now() AND attempts >= $1 FOR UPDATE SKIP LOCKED)`,
      [e.webhookMaxAttempts],
    );
    // First the endpoints, locked (SKIP LOCKED: another dispatcher takes others meanwhile);
    // then, in a statement that sees everything committed before the locks were taken, what
    // is in flight to them and what is due: the cap holds over every process.
    const endpoints: { id: string }[] = await em.query(
      `SELECT w.id FROM webhook_endpoints w
        WHERE w.enabled AND EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.endpoint_id = w.id AND d.status IN ('PENDING', 'SENDING')
                                       AND d.next_attempt_at <= now() AND (d.status = 'PENDING' OR d.lease_until < now()))
        ORDER BY w.id
        FOR UPDATE OF w SKIP LOCKED`,
    );
    if (endpoints.length === 0) return [];
    return em.query(
      `WITH free AS (
         SELECT w.id, w.max_in_flight - (SELECT count(*) FROM webhook_deliveries s WHERE s.endpoint_id = w.id AND s.status = 'SENDING' AND s.lease_until >= now()) AS n
           FROM webhook_endpoints w WHERE w.id = ANY($3::uuid[])
       ), pick AS (
         SELECT p.id FROM free f CROSS JOIN LATERAL (
           SELECT d.id FROM webhook_deliveries d
            WHERE d.endpoint_id = f.id AND d.next_attempt_at <= now() AND (d.status = 'PENDING' OR (d.status = 'SENDING' AND d.lease_until < now()))
            ORDER BY d.next_attempt_at, d.id LIMIT greatest(f.n, 0) FOR UPDATE SKIP LOCKED) p
         LIMIT $1
       ), claimed AS (
         UPDATE webhook_deliveries d SET status = 'SENDING', attempts = d.attempts + 1, lease_until = now() + $2 * interval '1 second', last_attempt_at = now()
           FROM pick WHERE d.id = pick.id
         RETURNING d.id AS delivery_id, d.attempts, d.endpoint_id, d.event_id
       )
       SELECT c.delivery_id, c.attempts, c.endpoint_id, w.url, w.secret,
              CASE WHEN w.previous_secret_until > now() THEN w.previous_secret END AS previous_secret,
              e.id, e.type, e.learner_id, e.enrolment_id, e.course_id, e.categories, e.reason, e.endpoint_id AS about_endpoint_id, e.occurred_at, e.created_at
         FROM claimed c JOIN events e ON e.id = c.event_id JOIN webhook_endpoints w ON w.id = c.endpoint_id`,
      [limit, lease, endpoints.map((x) => x.id)],
    );
  }

  close(): void {
    this.sender.close();
  }
}

/**
 * Seconds before attempt `attempt + 1`: base × 2^(attempt − 1), capped, with jitter over its
 * upper half — retries of many deliveries that failed together spread out instead of arriving
 * together again.
 */
export function retryDelaySeconds(attempt: number, base: number, max: number): number {
  const ceiling = Math.min(max, base * 2 ** Math.min(30, Math.max(0, attempt - 1)));
  return ceiling / 2 + (Math.random() * ceiling) / 2;
}
