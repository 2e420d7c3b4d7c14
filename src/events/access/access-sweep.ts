import type { DataSource } from 'typeorm';

/**
 * Access that ends with time rather than with a write (docs/events.md, "Access ended"): an
 * agreement's or a mandate's `validUntil` passing, an employment's last day passing. The sweep
 * runs on a schedule and writes an access check for each such ending since its previous run (its
 * watermark), in one transaction; the access checker then does the rest, as for any other cause.
 * An employment's end date is a calendar date in Europe/Amsterdam and counts as a working day:
 * access ends when the next day begins.
 *
 * Returns how many checks it wrote.
 */
export async function sweepTimeDrivenEndings(dataSource: DataSource): Promise<number> {
  return dataSource.transaction(async (em) => {
    const [{ n }] = await em.query(
      `WITH w AS (
         SELECT coalesce((SELECT at FROM event_watermarks WHERE name = 'access-sweep' FOR UPDATE), now() - interval '1 day') AS since, now() AS until
       ), due AS (
         SELECT x.learner_id, x.recipient_id FROM sharing_agreements x, w WHERE x.valid_until > w.since AND x.valid_until <= w.until
         UNION
         SELECT NULL::uuid, m.broker_id FROM broker_mandates m, w WHERE m.valid_until > w.since AND m.valid_until <= w.until
         UNION
         SELECT e.learner_id, NULL::uuid FROM employments e, w
          WHERE e.ended_on >= (w.since AT TIME ZONE 'Europe/Amsterdam')::date - 1 AND e.ended_on < (w.until AT TIME ZONE 'Europe/Amsterdam')::date
       ), ins AS (
         INSERT INTO access_checks (learner_id, recipient_id) SELECT learner_id, recipient_id FROM due RETURNING 1
       ), mark AS (
         INSERT INTO event_watermarks (name, at) SELECT 'access-sweep', until FROM w ON CONFLICT (name) DO UPDATE SET at = EXCLUDED.at
       )
       SELECT count(*)::int AS n FROM ins`,
    );
    return n as number;
  });
}

/** Events past the feed's window go, with their deliveries; in batches, so no long transaction. */
export async function deleteOldEvents(
  dataSource: DataSource,
  days: number,
  batch = 5000,
): Promise<number> {
  let total = 0;
  for (;;) {
    const rows: unknown[] = await dataSource.query(
      `WITH gone AS (DELETE FROM events WHERE position IN (SELECT position FROM events WHERE created_at < now() - make_interval(days => $1) ORDER BY position LIMIT $2) RETURNING 1)
       SELECT 1 FROM gone`,
      [days, batch],
    );
    total += rows.length;
    if (rows.length < batch) return total;
  }
}
