import type { Request, Response } from 'express';
import type { RequestLoaders } from '../../common/graphql/request-loaders';
import type { RequestView } from './request-view';

/**
 * What every resolver of a GraphQL request gets (built by the context factory in
 * `api/graphql.config.ts`): the request's loaders and how this request may see learner data.
 */
export interface GraphqlContext {
  req: Request;
  res: Response;
  loaders: RequestLoaders;
  view: RequestView;
  /**
   * Settles once the request's ledger write has been handed to the database driver, or when no
   * write was needed or it failed: set by the ledger's plugin as the request starts. The answer is made while the database
   * writes, not before the statement leaves (api/answer-in-parts.ts).
   */
  ledgerSent?: Promise<void>;
}
