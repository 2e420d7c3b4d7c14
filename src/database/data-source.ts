import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config/app-config';
import { databaseOptions } from './database-options';
import { startEmbeddedPostgres } from './embedded-postgres';

/**
 * The data source of the TypeORM CLI (`npm run migration:*`): the same options as the app, and
 * the same embedded PostgreSQL when DATABASE_URL is not set (stopped again when the CLI is done).
 */
async function cliDataSource(): Promise<DataSource> {
  const config = loadConfig();
  if (config.databaseUrl) return new DataSource(databaseOptions(config.databaseUrl));
  const pg = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPostgresPort });
  const ds = new DataSource(databaseOptions(pg.url()));
  const destroy = ds.destroy.bind(ds);
  ds.destroy = async () => {
    await destroy();
    await pg.stop();
  };
  return ds;
}

export default cliDataSource();
