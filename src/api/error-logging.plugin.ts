import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import { DomainError } from '../common/errors/domain-error';
import type { GraphqlContext } from '../sharing/gate/graphql-context';

/** Errors we did not raise on purpose are logged in full here, and shown to the client opaque. */
export function errorLoggingPlugin(logger: Logger): ApolloServerPlugin<GraphqlContext> {
  return {
    requestDidStart() {
      return Promise.resolve({
        async didEncounterErrors({ errors, contextValue, operationName }) {
          for (const error of errors) {
            const original = error instanceof GraphQLError ? error.originalError : error;
            if (!original || original instanceof DomainError) continue;
            if ((original as { status?: number }).status !== undefined) continue; // Nest HttpException
            logger.error({ err: original, reqId: contextValue.req?.id, operationName }, 'unexpected error in GraphQL operation');
          }
          return Promise.resolve();
        },
      });
    },
  };
}
