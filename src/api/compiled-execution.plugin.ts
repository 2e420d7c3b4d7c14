import { HeaderMap, type ApolloServerPlugin, type GraphQLRequestContextResponseForOperation } from '@apollo/server';
import { BREAK, OperationTypeNode, visit, type DocumentNode, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { RequestLoaders } from '../common/graphql/request-loaders';
import { graphqlCompiled } from '../common/metrics';
import { viewFor } from '../sharing/gate/request-view';
import type { Actor } from '../auth/actor';
import type { GraphqlContext } from '../sharing/gate/graphql-context';

/** Compiled documents kept (least recently used dropped first): a client sends a handful of shapes. */
const MAX_COMPILED = 200;
/** Documents seen once and not compiled yet (oldest forgotten first). */
const MAX_SEEN = 1_000;

/** What a document became: compiled, or run by graphql-js for good (and why). */
type Entry = CompiledQuery | 'not_compilable';

/**
 * Runs queries through graphql-jit instead of graphql-js's interpreter (docs/architecture.md,
 * "The request path"). A document seen a second time is compiled (per query text and operation
 * name) into one function that walks the selection directly: no per-field path objects, argument
 * coercion or promise checks where the schema says none are needed. It calls the same resolvers
 * on the same schema, so every gated field still goes through the gate (sharing/gate/projection.ts), and Apollo's
 * other hooks run as before: parsing, validation and the cost limit before (this hook runs after
 * the operation is resolved), the ledger's write in willSendResponse after.
 *
 * - A document is compiled only the second time it comes: compiling is CPU the cost limit does
 *   not count, and a caller sending ever-new documents would otherwise make the process compile
 *   each one (they run through graphql-js instead, as they would without this plugin).
 * - Documents with `@skip` or `@include` are not compiled: graphql-jit 0.8 can drop or add fields
 *   of a fragment spread under different conditions, without an error (its issues #111, #118).
 * - Only results without an error are answered here. A result with errors — or a compiled run
 *   that throws — is dropped and the request runs again through graphql-js, so errors are
 *   reported, formatted and logged by Apollo's one path; the view and loaders are renewed first,
 *   so nothing the dropped run decided or marked reaches the ledger. Mutations never come here:
 *   they must not run twice.
 */
export function compiledExecutionPlugin(): ApolloServerPlugin<GraphqlContext> {
  const entries = new Map<string, Entry>();
  const seen = new Set<string>();
  let compiledFor: GraphQLSchema | undefined;

  function compiledQuery(rc: GraphQLRequestContextResponseForOperation<GraphqlContext>): Entry | 'first_seen' {
    if (compiledFor !== rc.schema) {
      entries.clear();
      seen.clear();
      compiledFor = rc.schema;
    }
    const key = `${rc.operationName ?? ''}\u0000${rc.queryHash}`;
    const known = entries.get(key);
    if (known) {
      entries.delete(key);
      entries.set(key, known);
      return known;
    }
    if (!seen.has(key)) {
      seen.add(key);
      if (seen.size > MAX_SEEN) seen.delete(seen.values().next().value!);
      return 'first_seen';
    }
    seen.delete(key);
    let entry: Entry = 'not_compilable';
    if (!hasConditionalDirectives(rc.document)) {
      const result = compileQuery(rc.schema, rc.document, rc.operationName ?? undefined);
      if (isCompiledQuery(result)) entry = result;
    }
    entries.set(key, entry);
    if (entries.size > MAX_COMPILED) entries.delete(entries.keys().next().value!);
    return entry;
  }

  /** Back to graphql-js for this request, with nothing of the dropped run left on its context. */
  function interpreted(rc: GraphQLRequestContextResponseForOperation<GraphqlContext>): null {
    rc.contextValue.view = viewFor(rc.contextValue.req.user as Actor | undefined);
    rc.contextValue.loaders = new RequestLoaders();
    return null;
  }

  return {
    requestDidStart() {
      return Promise.resolve({
        async responseForOperation(rc) {
          if (rc.operation.operation !== OperationTypeNode.QUERY) return null;
          const query = compiledQuery(rc);
          if (typeof query === 'string') {
            graphqlCompiled.inc({ outcome: query });
            return null;
          }
          try {
            const result = await query.query(undefined, rc.contextValue, rc.request.variables ?? {});
            if (result.errors?.length) {
              // Not logged, on purpose: graphql-jit's messages may print the value they refused
              // (a record of a learner-data type: sharing/gate/projection.ts). graphql-js reports
              // the same error opaquely when the request runs again.
              graphqlCompiled.inc({ outcome: 'fallback' });
              return interpreted(rc);
            }
            graphqlCompiled.inc({ outcome: 'served' });
            return { http: { status: undefined, headers: new HeaderMap() }, body: { kind: 'single', singleResult: { data: result.data } } };
          } catch {
            // A throw here would skip Apollo's willSendResponse hooks (the ledger's, the turn of a heavy operation).
            graphqlCompiled.inc({ outcome: 'fallback' });
            return interpreted(rc);
          }
        },
      });
    },
  };
}

function hasConditionalDirectives(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Directive(node) {
      if (node.name.value === 'skip' || node.name.value === 'include') {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}
