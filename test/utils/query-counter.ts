import type { DataSource } from 'typeorm';

/** Counts the SQL statements the app sends through TypeORM while `fn` runs. */
export async function countQueries<T>(db: DataSource, fn: () => Promise<T>): Promise<{ result: T; queries: string[] }> {
  const logger = db.logger;
  const original = logger.logQuery.bind(logger);
  const queries: string[] = [];
  logger.logQuery = (query, parameters, runner) => {
    queries.push(query);
    original(query, parameters, runner);
  };
  try {
    return { result: await fn(), queries };
  } finally {
    logger.logQuery = original;
  }
}
