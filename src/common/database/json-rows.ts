import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/** A row of `json_agg(table)`: the table's column names, values as PostgreSQL writes them in JSON. */
export type JsonRow = Record<string, unknown>;

/**
 * Maps rows of `json_agg(table)` to entity instances exactly as TypeORM loads them, driven by the
 * entity's column metadata: a column added to the entity is mapped without anyone writing it
 * down (a hand-written mapper that forgot it would silently serve null forever).
 *
 * JSON differs from what the pg driver hands TypeORM in two ways, undone here before TypeORM's own
 * hydration (`driver.prepareHydratedValue`, which also applies column transformers): numerics and
 * bigints arrive as JSON numbers (pg gives strings), and arrays arrive as JSON arrays (pg gives
 * them parsed too, so they skip hydration; no mapped entity has a transformer on an array). test/e2e/json-rows.e2e-spec.ts compares this with
 * TypeORM's own load of the same rows for every entity mapped this way.
 */
export function jsonRowMapper<T extends ObjectLiteral>(dataSource: DataSource, target: EntityTarget<T>): (row: JsonRow) => T {
  const metadata = dataSource.getMetadata(target);
  const driver = dataSource.driver;
  const columns = metadata.columns
    .filter((c) => !c.isVirtual && !c.embeddedMetadata)
    .map((c) => ({ property: c.propertyName, name: c.databaseName, convert: converterFor(c, (v) => driver.prepareHydratedValue(v, c)) }));
  return (row) => {
    const entity = metadata.create() as T;
    for (const c of columns) (entity as Record<string, unknown>)[c.property] = c.convert(row[c.name]);
    return entity;
  };
}

const AS_TEXT = new Set(['numeric', 'decimal', 'bigint', 'int8', 'money']);

function converterFor(c: ColumnMetadata, hydrate: (v: unknown) => unknown): (v: unknown) => unknown {
  if (c.isArray) return (v) => v ?? null;
  if (typeof c.type === 'string' && AS_TEXT.has(c.type)) return (v) => hydrate(typeof v === 'number' ? String(v) : (v ?? null));
  return (v) => hydrate(v ?? null);
}
