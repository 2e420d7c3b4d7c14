import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { Actor } from '../auth/actor';
import { graphqlCost, graphqlThrottled } from '../common/metrics';
import type { GraphqlContext } from '../sharing/gate/graphql-context';
import type { CostBudget } from './cost-budget';
import type { HeavyOperations } from './heavy-operations';
import { operationCost } from './query-cost';

export interface CostLimits {
  /** Refused before it runs when an operation costs more (GRAPHQL_MAX_COST). */
  maxCost: number;
  /** The assumed size of a list without `first` (GRAPHQL_LIST_SIZE). */
  listSize: number;
  /** Per-client budget; null: none (GRAPHQL_COST_BUDGET=0). */
  budget: { store: CostBudget; refillPerSecond: number } | null;
  /** Turns for heavy operations in this process. */
  heavy: HeavyOperations;
}

/**
 * Query cost before execution (docs/api-limits.md): computed from the document once it is
 * validated, refused above the per-operation maximum, drawn from the caller's budget, and reported
 * on every response as `extensions.cost`, in the spirit of Shopify's calculated query cost. A
 * refused operation runs no resolver and so no SQL.
 */
export function costPlugin(limits: CostLimits): ApolloServerPlugin<GraphqlContext> {
  return {
    requestDidStart() {
      let cost: { requested: number; maximum: number; remaining?: number; refillPerSecond?: number } | undefined;
      let release: (() => void) | undefined;
      return Promise.resolve({
        async didResolveOperation({ request, document, schema, contextValue, operationName }) {
          let requested: number;
          try {
            requested = Math.max(1, operationCost(schema, document, request.variables, operationName ?? undefined, limits.listSize));
          } catch (e) {
            // The cost is computed from the variables too: ones that do not fit their types are the caller's error.
            throw new GraphQLError(e instanceof Error ? e.message : 'Invalid variables', { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
          }
          cost = { requested, maximum: limits.maxCost };
          if (requested > limits.maxCost) {
            graphqlThrottled.inc({ reason: 'QUERY_TOO_COSTLY' });
            throw new GraphQLError(`This operation costs ${requested}, more than the maximum of ${limits.maxCost} per operation (GRAPHQL_MAX_COST): ask for fewer items or fewer aliases.`, {
              extensions: { code: 'QUERY_TOO_COSTLY', cost, http: { status: 400 } },
            });
          }
          // A heavy operation waits for its turn first (docs/api-limits.md, "Heavy operations"): one
          // refused for a full queue is not charged. The turn is given back when the response has
          // been sent or the connection closed — after the ledger's write, whatever path the
          // request took — or, without an HTTP response, in willSendResponse.
          if (limits.heavy.isHeavy(requested)) {
            if (!(await limits.heavy.acquire())) {
              graphqlThrottled.inc({ reason: 'BUSY' });
              throw new GraphQLError('Too many large operations are waiting on this server. Retry after 1 s.', {
                extensions: { code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 1, http: { status: 503, headers: new Map([['retry-after', '1']]) } },
              });
            }
            let held = true;
            release = () => {
              if (!held) return;
              held = false;
              limits.heavy.release();
            };
            const res = contextValue.res as GraphqlContext['res'] | undefined;
            if (res) {
              res.once('close', release);
              // Closed while waiting for the turn: no event will come.
              if (res.destroyed || res.writableFinished) release();
            }
          }
          const answer = limits.budget && (await limits.budget.store.consume(budgetKey(contextValue), requested));
          if (answer) cost = { ...cost, remaining: answer.remaining, refillPerSecond: limits.budget!.refillPerSecond };
          if (answer && !answer.ok) {
            release?.();
            graphqlThrottled.inc({ reason: 'THROTTLED' });
            throw new GraphQLError(`Over the cost budget: this operation costs ${requested}, ${answer.remaining} is left. Retry after ${answer.retryAfterSeconds} s.`, {
              extensions: {
                code: 'THROTTLED',
                cost,
                retryAfterSeconds: answer.retryAfterSeconds,
                http: { status: 429, headers: new Map([['retry-after', String(answer.retryAfterSeconds)]]) },
              },
            });
          }
          // Counted once it may run (this hook is the last before execution, whichever engine runs it).
          graphqlCost.inc(requested);
        },
        willSendResponse({ response, contextValue }) {
          if (!(contextValue.res as GraphqlContext['res'] | undefined)) release?.();
          if (cost && response.body.kind === 'single') {
            response.body.singleResult.extensions = { ...response.body.singleResult.extensions, cost };
          }
          return Promise.resolve();
        },
      });
    },
  };
}

/** Whose budget: the API client, the learner, staff by subject; anonymous callers by address. */
function budgetKey(ctx: GraphqlContext): string {
  const actor = ctx.req.user as Actor | undefined;
  if (!actor) return `anonymous:${ctx.req.ip ?? 'unknown'}`;
  return actor.apiClientId ? `client:${actor.apiClientId}` : `${actor.kind}:${actor.learnerId ?? actor.subject}`;
}
