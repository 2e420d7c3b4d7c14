import { DataSource } from 'typeorm';
import { databaseOptions } from '../../src/database/database-options';
import { createTestDatabase, type TestDatabase } from '../utils/test-database';

describe('migrations', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase(); // cloned from the template that globalSetup migrated
    ds = await new DataSource(databaseOptions(db.url, 2)).initialize();
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  it('entities and migrations describe the same schema (npm run migration:generate finds nothing)', async () => {
    const pending = await ds.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('every migration reverts cleanly and re-applies', async () => {
    const applied = (await ds.query(`SELECT count(*)::int AS n FROM typeorm_migrations`))[0].n as number;
    expect(applied).toBeGreaterThan(0);
    for (let i = 0; i < applied; i++) await ds.undoLastMigration({ transaction: 'all' });
    const tables = await ds.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'typeorm_migrations'`);
    expect(tables[0].n).toBe(0);
    await ds.runMigrations({ transaction: 'all' });
    expect((await ds.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
  });
});
