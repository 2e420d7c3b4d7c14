import type { ApolloServerPlugin, GraphQLResponse } from '@apollo/server';
import type { Logger } from 'pino';
import type { Actor } from '../auth/actor';
import type { GraphqlContext } from '../sharing/gate/graphql-context';
import type { DisclosureLedgerService } from './disclosure-ledger.service';

/**
 * Writes the request's disclosures to the ledger after execution and before the response leaves
 * (Apollo awaits willSendResponse before writing the body). Fail closed (docs/ledger-and-notifications.md): if the write
 * fails, the data is replaced by an error and no gated value is sent.
 *
 * `ledgerSent` on the context settles once the statement has been handed to the database driver
 * (it leaves as soon as a pooled connection is free), or when no write was needed or the write
 * failed: the answer is made while the database writes (api/answer-in-parts.ts), and is sent only
 * once every willSendResponse hook, this one included, has finished.
 */
export function ledgerPlugin(ledger: DisclosureLedgerService, logger: Logger): ApolloServerPlugin<GraphqlContext> {
  async function record(contextValue: GraphqlContext, response: GraphQLResponse, operationName: string | null | undefined, sent: () => void): Promise<void> {
    const view = contextValue.view;
    if (view.kind !== 'GATED' || view.disclosed.size === 0) return;
    const body = response.body;
    // Nothing of the data leaves when execution ended without data.
    if (body.kind === 'single' && (body.singleResult.data === null || body.singleResult.data === undefined)) return;
    try {
      if (body.kind !== 'single') throw new Error('incremental delivery cannot be ledgered before it leaves');
      const entries = await ledger.entriesFor(view, {
        requestId: requestIdOf(contextValue.req.id),
        operationName: operationName ?? null,
        actor: contextValue.req.user as Actor,
      });
      const writing = ledger.write(entries);
      sent();
      await writing;
    } catch (err) {
      logger.error({ err, reqId: contextValue.req.id }, 'disclosure ledger write failed: response withheld');
      response.body = {
        kind: 'single',
        singleResult: {
          errors: [{ message: 'The disclosure could not be recorded, so no data was sent. Please retry.', extensions: { code: 'SERVICE_UNAVAILABLE' } }],
        },
      };
      response.http.status = 503;
    }
  }

  return {
    requestDidStart({ contextValue }) {
      let sent!: () => void;
      contextValue.ledgerSent = new Promise<void>((resolve) => (sent = resolve));
      return Promise.resolve({
        async willSendResponse({ contextValue, response, operationName }) {
          try {
            await record(contextValue, response, operationName, sent);
          } finally {
            sent();
          }
        },
      });
    },
  };
}

/** pino-http's request id (a string we generate or a validated X-Request-Id). */
function requestIdOf(id: unknown): string {
  return typeof id === 'string' || typeof id === 'number' ? String(id) : '';
}
