import type { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CONTROL_CONNECTION } from '../../src/common/database/control-connection';
import { GATED_CONNECTION } from '../../src/common/database/gated-connection';

/** Every pool of the app (main, gated read path, control): a count must see them all. */
export function appDataSources(app: INestApplication): DataSource[] {
  return [getDataSourceToken(), getDataSourceToken(GATED_CONNECTION), getDataSourceToken(CONTROL_CONNECTION)].map((token) => app.get<DataSource>(token));
}

/** Counts the SQL statements the app sends through TypeORM, on any of its pools, while `fn` runs. */
export async function countQueries<T>(app: INestApplication, fn: () => Promise<T>): Promise<{ result: T; queries: string[] }> {
  const queries: string[] = [];
  const restore = appDataSources(app).map((db) => {
    const logger = db.logger;
    const original = logger.logQuery.bind(logger);
    logger.logQuery = (query, parameters, runner) => {
      queries.push(query);
      original(query, parameters, runner);
    };
    return () => (logger.logQuery = original);
  });
  try {
    return { result: await fn(), queries };
  } finally {
    for (const r of restore) r();
  }
}
