import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../utils/test-database';

/**
 * docs/scaling.md places every table of the schema on a Citus cluster: distributed by a column,
 * replicated to every node (reference), or kept on the coordinator (local). Its placement table
 * (between the `placement:begin` and `placement:end` markers) is read here and compared with the
 * migrated database, so a new table cannot arrive without a placement, and a distributed table
 * cannot lose — or never have — the column it is to be distributed by.
 *
 * New tables (the webhooks and events work among them) get their row in docs/scaling.md, in the
 * section kept for them; this file needs no list of its own.
 */
const PLAN = join(__dirname, '..', '..', 'docs', 'scaling.md');

type Placement =
  | { table: string; kind: 'distributed'; column: string; toAdd?: { via: string; parent: string }; why: string }
  | { table: string; kind: 'reference' | 'local'; why: string };

/** The rows of every table between the markers whose first cell is a `table` name. */
function readPlan(markdown: string): Placement[] {
  const begin = markdown.indexOf('<!-- placement:begin -->');
  const end = markdown.indexOf('<!-- placement:end -->');
  if (begin < 0 || end < begin) throw new Error('docs/scaling.md: the placement:begin / placement:end markers are missing');
  const rows: Placement[] = [];
  for (const line of markdown.slice(begin, end).split('\n')) {
    const cells = line.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim());
    const table = /^`([a-z_][a-z0-9_]*)`$/.exec(cells[0] ?? '')?.[1];
    if (!table) continue; // header, delimiter, prose
    const [, kind, key = '', why = ''] = cells;
    const names = [...key.matchAll(/`([a-z_][a-z0-9_]*)`/g)].map((m) => m[1]);
    if (kind === 'distributed') {
      if (!names[0]) throw new Error(`docs/scaling.md: ${table} is distributed but names no column`);
      const toAdd = /to add/.test(key) ? { via: names[1], parent: names[2] } : undefined;
      if (toAdd && (!toAdd.via || !toAdd.parent)) throw new Error(`docs/scaling.md: ${table}: a column "to add" names the column and table it comes through`);
      rows.push({ table, kind, column: names[0], toAdd, why });
    } else if (kind === 'reference' || kind === 'local') {
      rows.push({ table, kind, why });
    } else {
      throw new Error(`docs/scaling.md: ${table} has placement "${kind}"; distributed, reference or local`);
    }
  }
  return rows;
}

describe('the scaling plan (docs/scaling.md) and the schema', () => {
  let db: TestDatabase;
  let c: Client;
  const plan = readPlan(readFileSync(PLAN, 'utf8'));
  const byTable = new Map(plan.map((p) => [p.table, p]));
  let columns: Map<string, Map<string, { nullable: boolean }>>;
  let foreignKeys: { table: string; column: string; parent: string }[];

  beforeAll(async () => {
    db = await createTestDatabase(); // cloned from the template that globalSetup migrated
    c = new Client({ connectionString: db.url });
    await c.connect();
    const rows = (
      await c.query<{ table: string; column: string; nullable: boolean }>(
        `SELECT c.table_name AS table, c.column_name AS column, c.is_nullable = 'YES' AS nullable
           FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
          WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'`,
      )
    ).rows;
    columns = new Map();
    for (const r of rows) columns.set(r.table, (columns.get(r.table) ?? new Map()).set(r.column, { nullable: r.nullable }));
    // Single-column foreign keys (the only kind the schema has), child column → parent table.
    foreignKeys = (
      await c.query<{ table: string; column: string; parent: string }>(
        `SELECT cl.relname AS table, a.attname AS column, pc.relname AS parent
           FROM pg_constraint k
           JOIN pg_class cl ON cl.oid = k.conrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
           JOIN pg_class pc ON pc.oid = k.confrelid
           JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
          WHERE k.contype = 'f' AND n.nspname = 'public' AND cardinality(k.conkey) = 1`,
      )
    ).rows;
  });
  afterAll(async () => {
    await c.end();
    await db.drop();
  });

  it('lists each table once', () => {
    const tables = plan.map((p) => p.table);
    expect(tables.filter((t, i) => tables.indexOf(t) !== i)).toEqual([]);
  });

  it('places every table of the public schema, and no table that is not there', () => {
    const inDatabase = [...columns.keys()].sort();
    // A table here needs its row in docs/scaling.md: distributed (by which column), reference or local, and why.
    const notPlaced = inDatabase.filter((t) => !byTable.has(t)).map((t) => `${t}: no row in docs/scaling.md`);
    const notInDatabase = plan.filter((p) => !columns.has(p.table)).map((p) => `${p.table}: in docs/scaling.md, not in the schema`);
    expect([...notPlaced, ...notInDatabase]).toEqual([]);
  });

  it('gives every reference and local table, and every distributed one, its reason', () => {
    expect(plan.filter((p) => p.why.length < 10).map((p) => p.table)).toEqual([]);
  });

  it('distributes each table by a column it has, never null (Citus refuses rows without their distribution value)', () => {
    const wrong: string[] = [];
    for (const p of plan) {
      if (p.kind !== 'distributed' || p.toAdd) continue;
      const column = columns.get(p.table)?.get(p.column);
      if (!column) wrong.push(`${p.table}.${p.column} does not exist`);
      else if (column.nullable) wrong.push(`${p.table}.${p.column} may be null`);
    }
    expect(wrong).toEqual([]);
  });

  it('reaches the distribution column of a table that lacks it through a foreign key to a table distributed by it', () => {
    const wrong: string[] = [];
    for (const p of plan) {
      if (p.kind !== 'distributed' || !p.toAdd) continue;
      const { via, parent } = p.toAdd;
      // Once the column is there, the plan's "to add" is out of date.
      if (columns.get(p.table)?.has(p.column)) wrong.push(`${p.table}.${p.column} exists: drop "to add" from its row`);
      const viaColumn = columns.get(p.table)?.get(via);
      if (!viaColumn || viaColumn.nullable) wrong.push(`${p.table}.${via} is missing or may be null`);
      if (!foreignKeys.some((k) => k.table === p.table && k.column === via && k.parent === parent)) wrong.push(`${p.table}.${via} is no foreign key to ${parent}`);
      const parentPlan = byTable.get(parent);
      if (parentPlan?.kind !== 'distributed' || parentPlan.toAdd || parentPlan.column !== p.column) {
        wrong.push(`${parent} is not distributed by ${p.column} itself`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
