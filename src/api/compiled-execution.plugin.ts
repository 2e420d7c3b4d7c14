import { HeaderMap, type ApolloServerPlugin, type GraphQLRequestContextResponseForOperation } from '@apollo/server';
import { OperationTypeNode, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { RequestLoaders } from '../common/graphql/request-loaders';
import { graphqlCompiled } from '../common/metrics';
import { viewFor } from '../sharing/gate/request-view';
import type { Actor } from '../auth/actor';
import type { GraphqlContext } from '../sharing/gate/graphql-context';

/** Compiled documents kept (least recently used dropped first): a client sends a handful of shapes. */
const MAX_COMPILED = 200;

/**
 * Runs queries through graphql-jit instead of graphql-js's interpreter (docs/architecture.md,
 * "The request path"). The document is compiled once (per query text and operation name) into
 * one function that walks the selection directly: no per-field path objects, argument
 * coercion or promise checks where the schema says none are needed. It calls the same resolvers
 * on the same schema, so every gated field still goes through the gate's wrapper, and Apollo's
 * other hooks run as before: parsing, validation and the cost limit before (this hook runs after
 * the operation is resolved), the ledger's write in willSendResponse after.
 *
 * Only queries that complete without an error are answered here. A result with errors is
 * dropped and the request runs again through graphql-js, so errors are reported, formatted and
 * logged by Apollo's one path (no second formatter to keep in step); the view is renewed first,
 * so nothing the dropped run decided or marked reaches the ledger. Mutations never come here:
 * they must not run twice.
 */
export function compiledExecutionPlugin(): ApolloServerPlugin<GraphqlContext> {
  const compiled = new Map<string, CompiledQuery>();
  let compiledFor: GraphQLSchema | undefined;

  function compiledQuery(rc: GraphQLRequestContextResponseForOperation<GraphqlContext>): CompiledQuery | null {
    if (compiledFor !== rc.schema) {
      compiled.clear();
      compiledFor = rc.schema;
    }
    const key = `${rc.operationName ?? ''}\u0000${rc.queryHash}`;
    let query = compiled.get(key);
    if (query) {
      compiled.delete(key);
      compiled.set(key, query);
      return query;
    }
    const result = compileQuery(rc.schema, rc.document, rc.operationName ?? undefined, { disableLeafSerialization: false });
    if (!isCompiledQuery(result)) return null;
    query = result;
    compiled.set(key, query);
    if (compiled.size > MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
    return query;
  }

  return {
    requestDidStart() {
      return Promise.resolve({
        async responseForOperation(rc) {
          if (rc.operation.operation !== OperationTypeNode.QUERY) return null;
          const query = compiledQuery(rc);
          if (!query) {
            graphqlCompiled.inc({ outcome: 'not_compilable' });
            return null;
          }
          const result = await query.query(undefined, rc.contextValue, rc.request.variables ?? {});
          if (result.errors?.length) {
            graphqlCompiled.inc({ outcome: 'fallback' });
            rc.contextValue.view = viewFor(rc.contextValue.req.user as Actor | undefined);
            rc.contextValue.loaders = new RequestLoaders();
            return null;
          }
          graphqlCompiled.inc({ outcome: 'served' });
          return { http: { status: undefined, headers: new HeaderMap() }, body: { kind: 'single', singleResult: { data: result.data } } };
        },
      });
    },
  };
}
