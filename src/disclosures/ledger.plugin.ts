import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from 'pino';
import type { Actor } from '../auth/actor';
import type { GraphqlContext } from '../sharing/gate/graphql-context';
import type { DisclosureLedgerService } from './disclosure-ledger.service';

/**
 * Writes the request's disclosures to the ledger after execution and before the response leaves
 * (Apollo awaits willSendResponse before writing the body). Fail closed (docs/ledger-and-notifications.md): if the write
 * fails, the data is replaced by an error and no gated value is sent.
 */
export function ledgerPlugin(ledger: DisclosureLedgerService, logger: Logger): ApolloServerPlugin<GraphqlContext> {
  return {
    requestDidStart: () =>
      Promise.resolve({
        async willSendResponse({ contextValue, response, operationName }) {
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
            await ledger.write(entries);
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
        },
      }),
  };
}

/** pino-http's request id (a string we generate or a validated X-Request-Id). */
function requestIdOf(id: unknown): string {
  return typeof id === 'string' || typeof id === 'number' ? String(id) : '';
}
