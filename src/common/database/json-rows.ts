import { setImmediate as nextTurn } from 'node:timers/promises';
import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/** A row of `json_agg(select(alias))`: the columns' values in metadata order, as PostgreSQL writes them in JSON. */
export type JsonRow = readonly unknown[];

/**
 * Rows of an entity's table as compact JSON, and back to entity instances exactly as TypeORM
 * loads them, both driven by the entity's column metadata: a column added to the entity is read
 * and mapped without anyone writing it down (a hand-written mapper that forgot it would silently
 * serve null forever).
 *
 * `select(alias)` is `json_build_array(alias.col, …)` in the metadata's column order, so that
 * `json_agg(select('x'))` ships each row as a positional array: the column names are not repeated
 * in every row, a page's results and enrolments are about 40 % smaller than as JSON objects, and
 * on a 2-core machine a megabyte takes tens of milliseconds to send and parse (docs/benchmarks.md).
 * `map` reads the array back by the same order.
 *
 * Each column gets its converter once, from its metadata. The common types are converted directly
 * — a gated page maps some 40,000 values, and this is on its hot path — and every other type goes
 * through TypeORM's own hydration (`driver.prepareHydratedValue`, which also applies column
 * transformers), after undoing the one way JSON differs from what the pg driver hands TypeORM:
 * numerics and bigints arrive as JSON numbers where pg gives strings. Arrays arrive parsed, as pg
 * gives them. test/e2e/json-rows.e2e-spec.ts compares the result with TypeORM's own load of the
 * same rows for every entity mapped this way.
 */
export interface JsonRows<T> {
  select(alias: string): string;
  /**
   * One row as an entity. `strings`: one load's uuids seen so far — each uuid value becomes the
   * string already seen (see StringsOfOneLoad).
   */
  map(row: JsonRow, strings?: StringsOfOneLoad): Lean<T>;
}

/**
 * The uuid strings of one load (a page's rows), so that a value repeated across rows — a course,
 * an employer, the enrolment a result belongs to — is one string, not one per row: JSON.parse
 * makes a new string for every occurrence, and a page's entities keep ~9,000 such copies alive
 * from its rows to its answer for every young-generation collection to copy (docs/benchmarks.md,
 * "Round 3, eighth session"). Made per load and dropped with it: nothing is kept across requests.
 */
export type StringsOfOneLoad = Map<string, string>;

/**
 * An entity as json rows load it: each instant (`timestamptz`) as its epoch milliseconds, not a
 * Date. A 500-learner page holds ~13,000 instants from its rows to its answer; as Dates (~96 bytes
 * each, every one an object the young-generation collector copies, and copies again when it
 * promotes it) they were ~19 % of provider staff's page's CPU, while nearly all a page does with
 * them is serialise some (common/graphql/date-time.scalar.ts takes a number) (docs/benchmarks.md,
 * "Round 3, eighth session"). The type says so, so that code reading an instant of such a row
 * cannot take it for a Date.
 */
export type Lean<T> = { [K in keyof T]: InstantAsNumber<T[K]> };
type InstantAsNumber<V> = V extends Date ? number : V;

export function jsonRows<T extends ObjectLiteral>(dataSource: DataSource, target: EntityTarget<T>): JsonRows<T> {
  const metadata = dataSource.getMetadata(target);
  // What TypeORM's own load would do besides mapping columns is not done here: refuse it.
  if (metadata.afterLoadListeners.length > 0) throw new Error(`${metadata.name} has @AfterLoad listeners, which json rows do not run (common/database/json-rows.ts)`);
  const driver = dataSource.driver;
  const columns = metadata.columns
    // As TypeORM's find(): no virtual or embedded columns, none marked `select: false`.
    .filter((c) => !c.isVirtual && !c.embeddedMetadata && c.isSelect)
    .map((c) => ({
      property: c.propertyName,
      name: c.databaseName,
      instant: isInstant(c),
      uuid: !c.transformer && !c.isArray && c.type === 'uuid',
      convert: converterFor(c, (v) => driver.prepareHydratedValue(v, c)),
    }));
  const list = (alias: string) => columns.map((c) => (c.instant ? epochMillisSql(`${alias}."${c.name}"`) : `${alias}."${c.name}"`)).join(', ');
  return {
    select: (alias) => `json_build_array(${list(alias)})`,
    map: (row, strings) => {
      const entity = metadata.create() as Record<string, unknown>;
      for (let i = 0; i < columns.length; i++) {
        const column = columns[i];
        const value = column.convert(row[i]);
        if (strings && column.uuid && typeof value === 'string') {
          const seen = strings.get(value);
          if (seen === undefined) strings.set(value, value);
          entity[column.property] = seen ?? value;
        } else entity[column.property] = value;
      }
      return entity as Lean<T>;
    },
  };
}

/** Rows mapped per turn of the event loop by loadJsonRows (a result's ~12 columns: ~1 ms). */
const ROWS_PER_TURN = 500;

/**
 * The rows of `sql` — one row with one text column, `rows`, holding `json_agg(rows.select(…))` —
 * as entities, without one long block of the event loop: the text parsed in a turn of its own,
 * the rows mapped 500 a turn. Loaded by the driver instead, the ~2,600 results of a 500-learner
 * page were parsed and hydrated in one block of 25–55 ms (docs/benchmarks.md).
 */
export async function loadJsonRows<T>(dataSource: DataSource, rows: JsonRows<T>, sql: string, params: unknown[]): Promise<Lean<T>[]> {
  const [row] = await dataSource.query<{ rows: string | null }[]>(sql, params);
  if (!row?.rows) return [];
  await nextTurn();
  const parsed = JSON.parse(row.rows) as JsonRow[];
  const out: Lean<T>[] = [];
  const strings: StringsOfOneLoad = new Map();
  for (let i = 0; i < parsed.length; i += ROWS_PER_TURN) {
    if (i > 0) await nextTurn();
    for (let j = i; j < Math.min(parsed.length, i + ROWS_PER_TURN); j++) out.push(rows.map(parsed[j], strings));
  }
  return out;
}

/**
 * A `timestamptz` column without a transformer: sent as its epoch milliseconds, rounded down as
 * JavaScript's Date keeps them (epochMillisSql), instead of as ISO text — half the characters,
 * and kept as that number (Lean). A 500-learner page has ~14,000 of them: ~200 kB less JSON to write and read, and ~15 % less time in
 * PostgreSQL for those columns (docs/benchmarks.md). The e2e test compares them with TypeORM's
 * Dates, to the millisecond, before and after 1970.
 */
function isInstant(c: ColumnMetadata): boolean {
  return !c.transformer && !c.isArray && (c.type === 'timestamptz' || c.type === 'timestamp with time zone');
}

/**
 * SQL for the epoch milliseconds of a `timestamptz`, rounded down, as a double precision.
 *
 * `extract(epoch …)` is exact but numeric, and numeric arithmetic is slow: ~0.5 µs an instant,
 * a few milliseconds of a 500-learner page's statements. `date_part('epoch', …)` is a double —
 * the instant's microseconds since 2000 (an exact integer), less the epoch, divided by a million:
 * the double nearest to the exact seconds. Multiplied back by a million it is within 0.49 of the
 * exact microseconds while the seconds are below 2^32 in size (1833–2106: half a unit in the
 * last place of the seconds, 2^-22 s, times a million, plus half a unit of the product, 0.25), so
 * rounding gives the exact integer, which a double holds exactly (below 2^53); divided by 1000 and
 * rounded down, the milliseconds as Date keeps them. Outside 1902–2100, and for ±infinity, the
 * exact numeric form, as a double (exact below 2^53 ms). test/e2e/json-rows.e2e-spec.ts holds
 * the two forms equal over random instants and every kind of millisecond boundary.
 */
export function epochMillisSql(instant: string): string {
  return (
    `CASE WHEN ${instant} >= '1902-01-01T00:00:00Z' AND ${instant} < '2100-01-01T00:00:00Z' ` +
    `THEN floor(round(date_part('epoch', ${instant}) * 1000000) / 1000) ` +
    `ELSE floor(extract(epoch FROM ${instant}) * 1000)::float8 END`
  );
}

const AS_TEXT = new Set(['numeric', 'decimal', 'bigint', 'int8', 'money']);
/** Types whose JSON value is exactly what TypeORM would hold. */
const AS_IS = new Set(['uuid', 'text', 'varchar', 'character varying', 'enum', 'boolean', 'integer', 'int', 'int4', 'smallint', 'int2', 'jsonb', 'json', 'date']);

function converterFor(c: ColumnMetadata, hydrate: (v: unknown) => unknown): (v: unknown) => unknown {
  if (c.isArray) return (v) => v ?? null;
  const type = typeof c.type === 'string' ? c.type : null;
  if (!c.transformer && type !== null) {
    // 'timestamp' without a zone would need TypeORM's local-time rule: leave it to hydration.
    // Sent and kept as epoch milliseconds (see isInstant and Lean). An infinite instant comes as
    // the string "Infinity" or "-Infinity" (JSON has no such number): TypeORM holds it as that
    // number too.
    if (isInstant(c)) return (v) => (v === null || v === undefined ? null : Number(v));
    if (AS_IS.has(type)) return (v) => v ?? null;
  }
  if (type !== null && AS_TEXT.has(type)) return (v) => hydrate(typeof v === 'number' ? String(v) : (v ?? null));
  return (v) => hydrate(v ?? null);
}
