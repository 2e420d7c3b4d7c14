import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { inForceAt, windowAt, windowInForceSql } from '../../src/common/validity-window';
import { databaseOptions } from '../../src/database/database-options';
import { createTestDatabase, type TestDatabase } from '../utils/test-database';

/**
 * "In force" is written once for memory (the rules, explain) and once for SQL (visibility, the
 * broker's mandates, the agreement list): this evaluates both on the same random windows and
 * instants — boundaries included, since instants are drawn from the windows' own edges — and
 * fails if they ever disagree. PostgreSQL keeps microseconds, JavaScript milliseconds: the
 * instants are whole milliseconds, so both see the same values.
 */
describe('one definition of "in force" for SQL and for memory', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await new DataSource(databaseOptions(db.url, 2)).initialize();
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  const base = Date.UTC(2026, 5, 1);
  const instant = fc.integer({ min: -5, max: 5 }).map((h) => new Date(base + h * 3_600_000));
  const window = fc.record({ validFrom: instant, validUntil: fc.option(instant, { nil: null }), revokedAt: fc.option(instant, { nil: null }) });

  it('agrees on 300 random (window, now) pairs, edges included', async () => {
    const cases = fc.sample(fc.record({ w: window, now: instant }), { numRuns: 300, seed: 20261128 });
    const rows = await ds.query<{ i: number; in_force: boolean }[]>(
      `SELECT t.i, ${windowInForceSql('t', 't.now')} AS in_force
         FROM unnest($1::int[], $2::timestamptz[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[]) AS t(i, valid_from, valid_until, revoked_at, now)
        ORDER BY t.i`,
      [cases.map((_, i) => i), cases.map((c) => c.w.validFrom), cases.map((c) => c.w.validUntil), cases.map((c) => c.w.revokedAt), cases.map((c) => c.now)],
    );
    const disagreements = cases.filter((c, i) => inForceAt(c.w, c.now) !== rows[i].in_force);
    expect(disagreements).toEqual([]);
    // The sample covers every state, so the agreement above is not vacuous.
    const states = new Set(cases.map((c) => JSON.stringify(windowAt(c.w, c.now))));
    expect(states.size).toBeGreaterThanOrEqual(6);
  });

  it('treats the edges as half-open: in force at validFrom, not at validUntil, not at revokedAt', () => {
    const from = new Date(base);
    const until = new Date(base + 3_600_000);
    expect(inForceAt({ validFrom: from, validUntil: until, revokedAt: null }, from)).toBe(true);
    expect(inForceAt({ validFrom: from, validUntil: until, revokedAt: null }, until)).toBe(false);
    expect(inForceAt({ validFrom: from, validUntil: null, revokedAt: until }, until)).toBe(false);
    expect(inForceAt({ validFrom: from, validUntil: null, revokedAt: until }, new Date(until.getTime() - 1))).toBe(true);
  });
});
