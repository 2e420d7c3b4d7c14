import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import type { ApolloDriverConfig } from '@nestjs/apollo';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/app-config';
import { formatGraphqlError } from '../common/errors/graphql-error.mapper';
import { errorLoggingPlugin } from './error-logging.plugin';
import type { Actor } from '../auth/actor';
import type { DisclosureLedgerService } from '../disclosures/disclosure-ledger.service';
import { ledgerPlugin } from '../disclosures/ledger.plugin';
import { enforceFieldPolicies } from '../sharing/gate/field-policy';
import { viewFor } from '../sharing/gate/request-view';
import { RequestLoaders } from '../common/graphql/request-loaders';
import type { GraphqlContext } from '../sharing/gate/graphql-context';

/**
 * The GraphQL API as Apollo serves it: the schema built from the resolvers with the gate installed
 * on every field that declares a policy, the per-request context (loaders and the caller's view),
 * error formatting and the plugins — the ledger's among them, which writes every disclosure
 * before the response leaves.
 */
export function graphqlConfig(config: AppConfig, logger: Logger, ledger: DisclosureLedgerService): ApolloDriverConfig {
  return {
    autoSchemaFile: true,
    sortSchema: true,
    transformSchema: (schema: GraphQLSchema) => enforceFieldPolicies(schema),
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
    // @apollo/server ships ESM and CJS type declarations; Nest's types name the other copy, so
    // the identical plugin types do not unify without this cast.
    plugins: [
      // Per-field cache hints are of no use to this API and cost a hook on every field.
      ApolloServerPluginCacheControlDisabled(),
      errorLoggingPlugin(logger),
      ledgerPlugin(ledger, logger),
      ...(config.graphql.landingPage ? [ApolloServerPluginLandingPageLocalDefault({ embed: true })] : []),
    ] as NonNullable<ApolloDriverConfig['plugins']>,
  };
}
