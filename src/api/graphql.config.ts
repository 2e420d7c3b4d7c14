import { withoutPlainFieldResolvers } from '../common/graphql/plain-field-resolvers';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import type { ApolloDriverConfig } from '@nestjs/apollo';
import { answerInPartsPlugin, stringifyAnswer } from './answer-in-parts';
import type { GraphQLError, GraphQLSchema, ValidationContext } from 'graphql';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/app-config';
import { formatGraphqlError } from '../common/errors/graphql-error.mapper';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import type { DataSource } from 'typeorm';
import { StrictDateTime } from '../common/graphql/date-time.scalar';
import { CostBudget } from './cost-budget';
import { costPlugin } from './cost.plugin';
import type { HeavyOperations } from './heavy-operations';
import { compiledExecutionPlugin } from './compiled-execution.plugin';
import { errorLoggingPlugin } from './error-logging.plugin';
import { metricsPlugin } from './metrics.plugin';
import type { Actor } from '../auth/actor';
import type { DisclosureLedgerService } from '../disclosures/disclosure-ledger.service';
import { ledgerPlugin } from '../disclosures/ledger.plugin';
import { enforceFieldPolicies } from '../sharing/gate/field-policy';
import { viewFor } from '../sharing/gate/request-view';
import { RequestLoaders } from '../common/graphql/request-loaders';
import type { GraphqlContext } from '../sharing/gate/graphql-context';

/**
 * graphql-armor's rules throw by default, which Apollo answers as an internal error; reported
 * through the validation context instead, they are GRAPHQL_VALIDATION_FAILED like any other.
 */
const asValidationError = {
  propagateOnRejection: false,
  onReject: [(ctx: ValidationContext | null, error: GraphQLError) => ctx?.reportError(error)],
};

/**
 * The GraphQL API as Apollo serves it: the schema built from the resolvers with the gate installed
 * on every field that declares a policy, the per-request context (loaders and the caller's view),
 * error formatting and the plugins — the ledger's among them, which writes every disclosure
 * before the response leaves.
 */
export function graphqlConfig(config: AppConfig, logger: Logger, ledger: DisclosureLedgerService, dataSource: DataSource, heavy: HeavyOperations): ApolloDriverConfig {
  const limits = config.graphql;
  // Off only to measure what the limits cost (the benchmark): app.factory.ts warns loudly.
  const on = limits.limitsEnabled;
  return {
    autoSchemaFile: true,
    // Every Date field and argument is the strict DateTime (no 2026-02-30, no epoch numbers).
    buildSchemaOptions: { scalarsMap: [{ type: Date, scalar: StrictDateTime }] },
    sortSchema: true,
    transformSchema: (schema: GraphQLSchema) => enforceFieldPolicies(withoutPlainFieldResolvers(schema)),
    playground: false,
    introspection: config.graphql.introspection,
    // Apollo's name for "no 'Did you mean …?' in validation errors".
    hideSchemaDetailsFromClientErrors: !config.graphql.suggestions,
    includeStacktraceInErrorResponses: false,
    context: ({ req, res }: Pick<GraphqlContext, 'req' | 'res'>): GraphqlContext => ({
      req,
      res,
      loaders: new RequestLoaders(),
      view: viewFor(req.user as Actor | undefined),
    }),
    formatError: formatGraphqlError,
    // docs/api-limits.md: a document is refused while it is parsed once it has too many tokens
    // (an anonymous megabyte of aliases costs nothing), then by depth, aliases and directives,
    // then by cost before it runs.
    parseOptions: on ? { maxTokens: limits.maxTokens } : {},
    validationRules: on
      ? [
          maxDepthRule({ n: limits.maxDepth, ...asValidationError }),
          maxAliasesRule({ n: limits.maxAliases, ...asValidationError }),
          maxDirectivesRule({ n: limits.maxDirectives, ...asValidationError }),
        ]
      : [],
    // Also because a batch's answers are joined into one string, and a large answer's string is a
    // stand-in for its encoded parts (api/answer-in-parts.ts): joined, it could not be replaced.
    allowBatchedHttpRequests: false,
    // Answers made and encoded a part a turn (api/answer-in-parts.ts), with the plugin below.
    stringifyResult: stringifyAnswer,
    // @apollo/server ships ESM and CJS type declarations; Nest's types name the other copy, so
    // the identical plugin types do not unify without this cast.
    plugins: [
      // Per-field cache hints are of no use to this API and cost a hook on every field.
      ApolloServerPluginCacheControlDisabled(),
      errorLoggingPlugin(logger),
      metricsPlugin(),
      ...(on
        ? [
            costPlugin({
              maxCost: limits.maxCost,
              listSize: limits.listSize,
              budget:
                limits.costBudget > 0
                  ? { store: new CostBudget(dataSource, { capacity: limits.costBudget, refillPerSecond: limits.costRefillPerSecond }), refillPerSecond: limits.costRefillPerSecond }
                  : null,
              heavy,
            }),
          ]
        : []),
      ...(limits.compiled ? [compiledExecutionPlugin()] : []),
      ledgerPlugin(ledger, logger),
      // After the ledger's plugin (which sets `ledgerSent`). Apollo runs the willSendResponse
      // hooks together — this one waits for the ledger's statement to be on its way, and would
      // wait forever if they ran one after another. What makes the ledger's 503 safe is that it
      // replaces the body with one without data, which stringifyAnswer cannot place.
      answerInPartsPlugin(),
      ...(config.graphql.landingPage ? [ApolloServerPluginLandingPageLocalDefault({ embed: true })] : []),
    ] as NonNullable<ApolloDriverConfig['plugins']>,
  };
}
