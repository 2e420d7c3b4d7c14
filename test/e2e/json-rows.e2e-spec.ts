import { DataSource, type EntityTarget, type ObjectLiteral } from 'typeorm';
import { epochMillisSql, jsonRows, loadJsonRows, type JsonRow } from '../../src/common/database/json-rows';
import { databaseOptions } from '../../src/database/database-options';
import { AssessmentResultEntity } from '../../src/enrolments/assessment-result.entity';
import { CertificateEntity } from '../../src/enrolments/certificate.entity';
import { CourseEntity } from '../../src/enrolments/course.entity';
import { EnrolmentEntity } from '../../src/enrolments/enrolment.entity';
import { createTestDatabase, type TestDatabase } from '../utils/test-database';

/**
 * A gated page loads enrolments, results, certificates and courses as `json_agg` of positional
 * arrays in the gate's one facts statement and maps them with `jsonRows` (driven by entity metadata). For
 * every entity mapped that way, the mapper must give exactly what TypeORM's own load gives —
 * every column, with nulls and without — so a new column or a new column type cannot be served
 * differently (or not at all) on the gated path. The one difference is on purpose: an instant is
 * kept as its epoch milliseconds where TypeORM makes a Date (json-rows.ts, Lean).
 */
describe('json_agg rows map to entities exactly as TypeORM loads them', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await new DataSource(databaseOptions(db.url, 2)).initialize();
    const [org] = await ds.query(`INSERT INTO organisations (name, kind) VALUES ('Werkgever', 'EMPLOYER') RETURNING id`);
    const [learner] = await ds.query(`INSERT INTO learners (name, email) VALUES ('Sanne', 'sanne@example.test') RETURNING id`);
    const courses = await ds.query(
      `INSERT INTO courses (code, title, accreditation_body, accreditation_points) VALUES ('BHV', 'BHV', 'NIBHV', 4.25), ('EHBO', 'EHBO', NULL, NULL) RETURNING id`,
    );
    const enrolments = await ds.query(
      `INSERT INTO enrolments (learner_id, course_id, sponsor_employer_id, enrolled_by_id, status, enrolled_at, starts_on, started_at, completed_at, progress_percent, time_spent_minutes, last_activity_at)
       VALUES ($1, $2, $3, $3, 'COMPLETED', '2026-01-02T03:04:05.678Z', '2026-01-05', '2026-01-06T08:00:00.001Z', '2026-02-01T09:30:00Z', 100, 321, '2026-02-01T09:30:00Z'),
              ($1, $4, NULL, $3, 'ENROLLED', now(), NULL, NULL, NULL, 0, 0, NULL) RETURNING id`,
      [learner.id, courses[0].id, org.id, courses[1].id],
    );
    await ds.query(
      `INSERT INTO assessment_results (enrolment_id, assessment_name, attempted_at, score, max_score, passed) VALUES ($1, 'Toets 1', '2026-01-20T10:00:00Z', 7.5, 10, true), ($1, 'Toets 2', now(), 0, 12.25, false)`,
      [enrolments[0].id],
    );
    await ds.query(
      `INSERT INTO certificates (enrolment_id, number, issued_at, expires_at, accreditation_points) VALUES ($1, 'C-1', '2026-02-02T00:00:00Z', '2028-02-02T00:00:00Z', 4.25), ($2, 'C-2', now(), NULL, NULL),
              -- Instants before 1970 with microseconds: sent as epoch milliseconds, rounded down as Date keeps them.
              ($1, 'C-3', '1955-03-04T05:06:07.891234Z', '1969-12-31T23:59:59.999999Z', NULL),
              -- An infinite instant: JSON has no such number, TypeORM holds it as Infinity.
              ($1, 'C-4', '2026-03-01T00:00:00Z', 'infinity', NULL)`,
      [enrolments[0].id, enrolments[1].id],
    );
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  const cases: [string, EntityTarget<ObjectLiteral>][] = [
    ['enrolments', EnrolmentEntity],
    ['assessment_results', AssessmentResultEntity],
    ['certificates', CertificateEntity],
    ['courses', CourseEntity],
  ];

  it.each(cases)('%s', async (table, entity) => {
    const loaded = await ds.getRepository(entity).find({ order: { id: 'ASC' } });
    const json = jsonRows(ds, entity);
    const [{ rows }] = await ds.query(`SELECT json_agg(${json.select('x')} ORDER BY x.id) AS rows FROM ${table} x`);
    const mapped = (rows as JsonRow[]).map((r) => json.map(r));
    // The same with one load's strings shared: equal values, each uuid one string.
    const strings = new Map<string, string>();
    expect((rows as JsonRow[]).map((r) => json.map(r, strings))).toEqual(mapped);
    expect(loaded.length).toBeGreaterThanOrEqual(2);
    expect(mapped).toEqual(loaded.map(lean));
    // Every instant TypeORM made a Date is a number here, to the millisecond (Infinity for 'infinity').
    const instants = loaded.flatMap((l) => Object.entries(l).filter(([, v]) => v instanceof Date).map(([k]) => k));
    expect(instants.length).toBeGreaterThan(0);
    for (const [i, m] of mapped.entries()) for (const k of Object.keys(m)) if (loaded[i][k] instanceof Date) expect(typeof m[k]).toBe('number');
    // Same classes, same own keys: nothing extra, nothing missing.
    expect(mapped.map((m) => m.constructor)).toEqual(loaded.map((l) => l.constructor));
    expect(mapped.map((m) => Object.keys(m).sort())).toEqual(loaded.map((l) => Object.keys(l).sort()));
  });

  it('loadJsonRows: the same entities in the same order, mapped in turns; none is an empty list', async () => {
    const json = jsonRows(ds, AssessmentResultEntity);
    const loaded = await ds.getRepository(AssessmentResultEntity).find({ order: { attemptedAt: 'ASC', id: 'ASC' } });
    const sql = `SELECT json_agg(${json.select('x')} ORDER BY x.attempted_at, x.id)::text AS rows FROM assessment_results x WHERE x.enrolment_id = ANY($1::uuid[])`;
    const all = loaded.map((r) => r.enrolmentId);
    expect(await loadJsonRows(ds, json, sql, [all])).toEqual(loaded.map(lean));
    expect(await loadJsonRows(ds, json, sql, [['00000000-0000-4000-8000-000000000000']])).toEqual([]);
  });

  it("instants' epoch milliseconds: the double form equals the exact numeric form, on every millisecond boundary tried", async () => {
    // 100,000 random instants of 1850–2150 to the microsecond, each also on its millisecond, one
    // microsecond before it and at its last microsecond (where a rounding error would show), the
    // edges of the double form's range, the epoch, NULL and the infinities.
    await ds.query(`SELECT setseed(0.42)`);
    const [row] = await ds.query(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE a IS DISTINCT FROM b)::int AS differ,
              count(*) FILTER (WHERE t >= '1902-01-01Z' AND t < '2100-01-01Z')::int AS in_range,
              (array_agg(t::text) FILTER (WHERE a IS DISTINCT FROM b))[1:5] AS examples
         FROM (SELECT t, ${epochMillisSql('t')} AS a, floor(extract(epoch FROM t) * 1000)::float8 AS b
                 FROM (SELECT v.t FROM (SELECT timestamptz '1850-01-01Z' + random() * (timestamptz '2150-01-01Z' - timestamptz '1850-01-01Z') AS r
                                          FROM generate_series(1, 100000)) x,
                        LATERAL (VALUES (x.r), (date_trunc('milliseconds', x.r)), (date_trunc('milliseconds', x.r) - interval '1 microsecond'),
                                        (date_trunc('milliseconds', x.r) + interval '999 microseconds')) v(t)
                       UNION ALL
                       SELECT unnest(ARRAY['1901-12-31T23:59:59.999999Z', '1902-01-01T00:00:00Z', '1902-01-01T00:00:00.001Z', '1969-12-31T23:59:59.999Z',
                                           '1969-12-31T23:59:59.999999Z', '1970-01-01T00:00:00Z', '1970-01-01T00:00:00.000001Z', '2038-01-19T03:14:07.999Z',
                                           '2099-12-31T23:59:59.999Z', '2099-12-31T23:59:59.999999Z', '2100-01-01T00:00:00Z', '2106-02-07T06:28:15.999Z',
                                           '4000-01-01T00:00:00.001Z', '0044-03-15T12:00:00.123456Z', NULL, 'infinity', '-infinity']::timestamptz[])) s) d`,
    );
    expect(row).toMatchObject({ n: 400017, differ: 0, examples: null });
    expect(row.in_range).toBeGreaterThan(200000);
    // And as JSON: a whole number of milliseconds, or the infinities as strings, as before.
    const [{ json }] = await ds.query(
      `SELECT json_build_array(${epochMillisSql(`timestamptz '2026-01-02T03:04:05.678Z'`)}, ${epochMillisSql(`timestamptz '1955-03-04T05:06:07.891234Z'`)},
                               ${epochMillisSql(`'infinity'::timestamptz`)}, ${epochMillisSql(`NULL::timestamptz`)})::text AS json`,
    );
    expect(json).toBe(`[1767323045678, -468010432109, "Infinity", null]`);
  });
});

/** A TypeORM-loaded entity with its Dates as epoch milliseconds, as json rows keep them. */
function lean<T extends ObjectLiteral>(entity: T): T {
  const out = Object.create(Object.getPrototypeOf(entity) as object) as Record<string, unknown>;
  for (const [k, v] of Object.entries(entity)) out[k] = v instanceof Date ? v.getTime() : v;
  return out as T;
}
