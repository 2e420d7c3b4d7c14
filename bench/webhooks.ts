import 'reflect-metadata';
import { fork } from 'node:child_process';
import { loadavg, cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config/app-config';
import { prepareDatabase } from '../src/database/prepare-database';
import { uuid7 } from '../src/common/uuid7';
import { writeEvents, type NewEvent } from '../src/events/events-writer';
import { newSigningSecret } from '../src/events/webhooks/webhook-signing';
import { benchServer, recreateDatabase } from './bench-db';

const DB = 'rsa_webhooks';

/**
 * `npm run bench:webhooks`: webhook fan-out (docs/benchmarks.md, "Webhooks"). A fresh database on
 * the bench's server; the API process with its in-process workers (the same loops as `npm
 * start`); a receiver in its own process that verifies every signature. Two phases:
 *
 *  1. drain: `--events` events for one recipient with `--endpoints` subscribed endpoints, written
 *     in one commit, delivered as fast as the dispatcher goes: deliveries/s;
 *  2. steady: events written in small commits at `--rate` deliveries/s for `--seconds`: commit →
 *     accepted by the receiver, p50/p95/max.
 *
 * Prints JSON with the sample counts and the machine's load at start and end.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '5000' },
      endpoints: { type: 'string', default: '4' },
      rate: { type: 'string', default: '500' },
      seconds: { type: 'string', default: '20' },
    },
  });
  const events = Number(values.events);
  const endpoints = Number(values.endpoints);
  const load = { start: loadavg().map((l) => +l.toFixed(2)), cpus: cpus().length };
  const server = await benchServer();
  const receiver = fork(join(__dirname, 'webhook-receiver-child.js'), {
    env: { ...process.env, WEBHOOK_SECRET: (process.env.WEBHOOK_SECRET = newSigningSecret()) },
  });
  const port = await new Promise<number>((resolve) =>
    receiver.once('message', (m: { port: number }) => resolve(m.port)),
  );
  try {
    await recreateDatabase(server.url('postgres'), DB);
    // WEBHOOK_* and EVENTS_* from the environment tune the dispatcher as they would in production.
    const tuning = Object.fromEntries(Object.entries(process.env).filter(([k]) => /^(WEBHOOK|EVENTS)_/.test(k)));
    const config = loadConfig({
      ...tuning,
      NODE_ENV: 'test',
      DATABASE_URL: server.url(DB),
      JWT_ISSUER: 'http://bench.local',
      SEED_DEMO: 'false',
      WORKERS_IN_PROCESS: 'true',
      LOG_LEVEL: 'error',
    });
    const db = await prepareDatabase(config, undefined, { migrate: true });
    const app = await createApp({ ...config, databaseUrl: db.appUrl }, pino({ level: 'error' }));
    const ds = app.get(DataSource);
    const pg = new Client({ connectionString: db.appUrl });
    await pg.connect();
    const [{ id: owner }] = (
      await pg.query(
        `INSERT INTO organisations (kind, name) VALUES ('EMPLOYER', 'Bench HR') RETURNING id`,
      )
    ).rows as { id: string }[];
    for (let i = 0; i < endpoints; i++) {
      await pg.query(
        `INSERT INTO webhook_endpoints (id, owner_id, url, event_types, max_in_flight, secret) VALUES ($1, $2, $3, $4, $5, $6)`,
        [
          uuid7(),
          owner,
          `http://127.0.0.1:${port}/hooks/${i}`,
          ['enrolment.progress_changed'],
          config.events.webhookMaxInFlight,
          process.env.WEBHOOK_SECRET,
        ],
      );
    }
    const committed = new Map<string, number>();
    const write = async (n: number) => {
      const qr = ds.createQueryRunner();
      await qr.connect();
      const batch: NewEvent[] = Array.from({ length: n }, () => ({
        id: uuid7(),
        recipientId: owner,
        type: 'enrolment.progress_changed' as const,
        categories: ['PROGRESS'],
        occurredAt: new Date(),
      }));
      await qr.startTransaction();
      await writeEvents(qr, batch);
      await qr.commitTransaction();
      await qr.release();
      const at = Date.now();
      for (const e of batch) committed.set(e.id, at);
    };
    const delivered = async () =>
      Number(
        (await pg.query(`SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'DELIVERED'`))
          .rows[0].n,
      );
    const stats = async () =>
      (await (await fetch(`http://127.0.0.1:${port}/stats`)).json()) as {
        arrived: Record<string, number>;
        bad: number;
        requests: number;
      };

    // 1. Drain.
    const t0 = Date.now();
    await write(events);
    const total = events * endpoints;
    while ((await delivered()) < total) await new Promise((r) => setTimeout(r, 50));
    const drainSeconds = (Date.now() - t0) / 1000;
    const drain = {
      deliveries: total,
      seconds: +drainSeconds.toFixed(2),
      perSecond: Math.round(total / drainSeconds),
      badSignatures: (await stats()).bad,
    };

    // 2. Steady: batches every 100 ms at the given rate of deliveries.
    const perBatch = Math.max(1, Math.round(Number(values.rate) / endpoints / 10));
    const steadyIds: string[] = [];
    const until = Date.now() + Number(values.seconds) * 1000;
    const before = committed.size;
    while (Date.now() < until) {
      const next = Date.now() + 100;
      await write(perBatch);
      await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
    }
    for (const id of [...committed.keys()].slice(before)) steadyIds.push(id);
    const expected = total + steadyIds.length * endpoints;
    const deadline = Date.now() + 60_000;
    while ((await delivered()) < expected && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const { arrived, bad, requests } = await stats();
    const lags = steadyIds
      .flatMap((id) => (arrived[id] ? [arrived[id] - committed.get(id)!] : []))
      .sort((a, b) => a - b);
    const q = (p: number) => lags[Math.min(lags.length - 1, Math.floor(p * lags.length))];
    const steady = {
      events: steadyIds.length,
      deliveriesPerSecond: Math.round((steadyIds.length * endpoints) / Number(values.seconds)),
      n: lags.length,
      commitToDeliveryMs:
        lags.length >= 5
          ? { p50: q(0.5), p95: q(0.95), max: lags.at(-1) }
          : `not measured (${lags.length} completed)`,
      badSignatures: bad,
      requests,
    };
    console.log(
      JSON.stringify(
        { endpoints, drain, steady, load: { ...load, end: loadavg().map((l) => +l.toFixed(2)) } },
        null,
        2,
      ),
    );
    await pg.end();
    await app.close();
    await db.stop();
  } finally {
    receiver.kill();
    await server.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
