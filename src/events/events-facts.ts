import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { GateFactsLoader } from '../sharing/gate/gate-facts.loader';

/**
 * The gate's facts for the events' background work, read through the main pool: the gated pool
 * is kept for recipients' pages (docs/operations.md, "Database limits").
 */
export const EVENTS_FACTS_LOADER = Symbol('EVENTS_FACTS_LOADER');

export const eventsFactsLoaderProvider = {
  provide: EVENTS_FACTS_LOADER,
  useFactory: (dataSource: DataSource) => new GateFactsLoader(dataSource),
  inject: [getDataSourceToken()],
};
