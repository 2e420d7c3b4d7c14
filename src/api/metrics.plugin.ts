import type { ApolloServerPlugin } from '@apollo/server';
import { graphqlRequests } from '../common/metrics';
import type { GraphqlContext } from '../sharing/gate/graphql-context';

/** Counts every GraphQL operation by name and outcome (ok, or its first error's code). */
export function metricsPlugin(): ApolloServerPlugin<GraphqlContext> {
  return {
    requestDidStart() {
      return Promise.resolve({
        willSendResponse({ response, operationName, contextValue }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          const code = errors?.[0]?.extensions?.code;
          // Only authenticated callers name a label: anonymous ones cannot use up the 200 slots.
          const operation = contextValue.req?.user ? label(operationName) : '(unauthenticated)';
          graphqlRequests.inc({ operation, outcome: errors?.length ? (typeof code === 'string' ? code : 'ERROR') : 'ok' });
          return Promise.resolve();
        },
      });
    },
  };
}

/** Operation names are the caller's to choose: bounded, so they cannot flood the metrics. */
const seen = new Set<string>();
function label(operationName: string | null | undefined): string {
  if (!operationName) return '(anonymous)';
  if (seen.has(operationName)) return operationName;
  if (seen.size >= 200 || !/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(operationName)) return '(other)';
  seen.add(operationName);
  return operationName;
}
