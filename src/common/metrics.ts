import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The process's Prometheus metrics (served at /metrics: docs/operations.md, "Metrics"). Defined
 * once per process, here at the bottom of the layers, so that whoever counts — the GraphQL
 * plugins, the ledger, the workers — imports them without importing each other.
 */
export const metrics = new Registry();
collectDefaultMetrics({ register: metrics, prefix: 'rsa_' });

export const graphqlRequests = new Counter({
  name: 'rsa_graphql_requests_total',
  help: 'GraphQL operations by operation name and outcome (ok, or the error code).',
  labelNames: ['operation', 'outcome'] as const,
  registers: [metrics],
});

export const graphqlCost = new Counter({
  name: 'rsa_graphql_cost_total',
  help: 'Query cost of the operations that ran (docs/api-limits.md).',
  registers: [metrics],
});

export const graphqlThrottled = new Counter({
  name: 'rsa_graphql_throttled_total',
  help: 'Operations refused by the per-client budget (THROTTLED) or by their cost (QUERY_TOO_COSTLY).',
  labelNames: ['reason'] as const,
  registers: [metrics],
});

export const graphqlCompiled = new Counter({
  name: 'rsa_graphql_compiled_total',
  help: 'Queries by how the compiled engine took them: served; first_seen (run by graphql-js, compiled next time); fallback (a result with errors, run again by graphql-js); not_compilable.',
  labelNames: ['outcome'] as const,
  registers: [metrics],
});

export const disclosuresWritten = new Counter({
  name: 'rsa_disclosures_written_total',
  help: 'Ledger entries written (one per request and learner).',
  registers: [metrics],
});

export const ledgerWriteSeconds = new Histogram({
  name: 'rsa_ledger_write_seconds',
  help: 'The ledger and outbox transaction of one response.',
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [metrics],
});

export const jobQueueDepth = new Gauge({
  name: 'rsa_job_queue_depth',
  help: 'Jobs waiting or retrying, by queue (read at scrape time).',
  labelNames: ['queue'] as const,
  registers: [metrics],
});

export const notificationLagSeconds = new Gauge({
  name: 'rsa_notification_lag_seconds',
  help: 'Age of the oldest notification not yet emailed, for learners with immediate email (read at scrape time).',
  registers: [metrics],
});

export const deadLetters = new Gauge({
  name: 'rsa_dead_letters',
  help: 'Email deliveries that failed after every retry and wait to be re-driven (read at scrape time).',
  registers: [metrics],
});

export const dbPoolWaiting = new Gauge({
  name: 'rsa_db_pool_waiting',
  help: 'Requests waiting for a database connection of this process, per pool: main, gated, control (read at scrape time).',
  labelNames: ['pool'] as const,
  registers: [metrics],
});

export const webhookAttempts = new Counter({
  name: 'rsa_webhook_attempts_total',
  help: 'Webhook delivery attempts by outcome: delivered, retry (failed, will be retried), dead (failed for the last time).',
  labelNames: ['outcome'] as const,
  registers: [metrics],
});

export const webhookDeliverySeconds = new Histogram({
  name: 'rsa_webhook_delivery_seconds',
  help: 'From an event being written to its delivery being accepted by the endpoint.',
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 3600],
  registers: [metrics],
});

export const eventsEmitted = new Counter({
  name: 'rsa_events_emitted_total',
  help: 'Events written to recipients\' feeds, by type.',
  labelNames: ['type'] as const,
  registers: [metrics],
});
