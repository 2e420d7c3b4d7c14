import PgBoss from 'pg-boss';
import type { QueryRunner } from 'typeorm';

/** The notification queues (pg-boss, a Postgres-backed job queue: the outbox needs no other store). */
export const QUEUES = {
  /** Deliver the unsent email notifications of some learners. */
  email: 'notify-email',
  /** Deliveries that failed after every retry, for provider staff to look at and re-drive. */
  emailDead: 'notify-email-dead',
  /** Daily / weekly digests. */
  digest: 'notify-digest',
  /** A signed checkpoint of every ledger chain's head (docs/ledger-and-notifications.md). */
  ledgerCheckpoint: 'ledger-checkpoint',
  /** Old rows of the API limits' tables (src/api/limits-housekeeping.ts). */
  limitsHousekeeping: 'limits-housekeeping',
  /** Build a learner's export (docs/learner-rights.md, "Export"). */
  learnerExport: 'learner-export',
  /** Delete expired exports' files. */
  exportExpiry: 'learner-export-expiry',
  /** Remind staff of learner requests about to fall due. */
  requestReminders: 'request-reminders',
  /** Purge what is past its retention period (docs/retention.md). */
  retention: 'retention',
  /** Access that ends with time, and events past the feed's window (docs/events.md). */
  eventsSweep: 'events-sweep',
} as const;

export interface EmailJob {
  learnerIds: string[];
}

export interface QueueSettings {
  retryLimit: number;
  jobExpireSeconds: number;
}

/**
 * The one shape of an email job, for every producer (ledger writes, information duties): starts
 * after the coalescing window, retried with backoff, expires (and is retried) if its worker dies.
 */
export function emailJob(
  learnerIds: string[],
  settings: { coalesceSeconds: number; retryLimit: number; retryDelaySeconds: number; jobExpireSeconds: number },
  now = Date.now(),
): PgBoss.JobInsert<EmailJob> {
  return {
    name: QUEUES.email,
    data: { learnerIds },
    // Everything disclosed to a learner until then goes in one message.
    startAfter: new Date(now + settings.coalesceSeconds * 1000),
    retryLimit: settings.retryLimit,
    retryBackoff: true,
    retryDelay: settings.retryDelaySeconds,
    expireInSeconds: settings.jobExpireSeconds,
  };
}

export function createBoss(databaseUrl: string, opts: { supervise: boolean; schedule: boolean; maintenanceSeconds?: number }): PgBoss {
  return new PgBoss({
    connectionString: databaseUrl,
    max: 4,
    application_name: 'results-sharing-api:jobs',
    supervise: opts.supervise,
    schedule: opts.schedule,
    migrate: false, // installed by migrate() with the app's own migrations
    maintenanceIntervalSeconds: opts.maintenanceSeconds ?? 30,
    monitorStateIntervalSeconds: opts.maintenanceSeconds ?? 30,
  });
}

/** Installs (or upgrades) pg-boss's schema and our queues; run with the migrations. */
export async function installQueues(databaseUrl: string, settings: QueueSettings): Promise<void> {
  const boss = new PgBoss({ connectionString: databaseUrl, max: 1, supervise: false, schedule: false, migrate: true });
  boss.on('error', () => undefined);
  await boss.start();
  try {
    const existing = new Set((await boss.getQueues()).map((q) => q.name));
    const common = { retryLimit: settings.retryLimit, retryBackoff: true, retryDelay: 5, expireInSeconds: settings.jobExpireSeconds };
    if (!existing.has(QUEUES.emailDead)) await boss.createQueue(QUEUES.emailDead, { name: QUEUES.emailDead, retentionDays: 30 });
    if (!existing.has(QUEUES.email)) await boss.createQueue(QUEUES.email, { name: QUEUES.email, deadLetter: QUEUES.emailDead, ...common });
    else await boss.updateQueue(QUEUES.email, { name: QUEUES.email, deadLetter: QUEUES.emailDead, ...common });
    if (!existing.has(QUEUES.digest)) await boss.createQueue(QUEUES.digest, { name: QUEUES.digest, ...common });
    // pg-boss's scheduler creates this queue of its own when it starts: create it here, as the
    // owner, since the application's role may not create tables (src/database/roles.ts).
    if (!existing.has('__pgboss__send-it')) await boss.createQueue('__pgboss__send-it');
    if (!existing.has(QUEUES.limitsHousekeeping)) await boss.createQueue(QUEUES.limitsHousekeeping, { name: QUEUES.limitsHousekeeping, ...common });
    for (const name of [QUEUES.learnerExport, QUEUES.exportExpiry, QUEUES.requestReminders, QUEUES.retention, QUEUES.eventsSweep]) {
      if (!existing.has(name)) await boss.createQueue(name, { name, ...common });
    }
    if (!existing.has(QUEUES.ledgerCheckpoint)) await boss.createQueue(QUEUES.ledgerCheckpoint, { name: QUEUES.ledgerCheckpoint, ...common });
  } finally {
    await boss.stop({ graceful: false, wait: true });
  }
}

/**
 * pg-boss writing through the caller's transaction (pg-boss's `db` option, adapted to a TypeORM QueryRunner): commit delivers the job,
 * rollback leaves nothing — so there is no disclosure without its notification and no
 * notification without its disclosure.
 */
export function inTransaction(queryRunner: QueryRunner): { db: PgBoss.Db } {
  return {
    db: {
      executeSql: async (text: string, values: unknown[]) => ({
        rows: ((await queryRunner.query(text, values, true)) as { records: unknown[] }).records,
      }),
    },
  };
}

/**
 * A recurring job: one worker for the queue (one job at a time) and its cron schedule. pg-boss
 * keeps one schedule per queue whatever the number of processes, and hands each run to one of
 * them: every process that runs workers may call this.
 */
export async function recurring(
  boss: PgBoss,
  queue: string,
  schedule: { cron: string; tz?: string; pollingIntervalSeconds: number },
  run: () => Promise<unknown>,
): Promise<void> {
  await boss.work(queue, { batchSize: 1, pollingIntervalSeconds: schedule.pollingIntervalSeconds }, async () => {
    await run();
  });
  await boss.schedule(queue, schedule.cron, {}, schedule.tz ? { tz: schedule.tz } : {});
}
