import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import type { ApolloServerPlugin } from '@apollo/server';
import type { ApolloDriverConfig } from '@nestjs/apollo';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import type { AppConfig } from '../../config/app-config';
import { DomainError } from '../errors/domain-error';
import { formatGraphqlError } from '../errors/graphql-error.mapper';
import type { Actor } from '../../auth/actor';
import type { DisclosureLedgerService } from '../../disclosures/disclosure-ledger.service';
import { ledgerPlugin } from '../../disclosures/ledger.plugin';
import { enforceFieldPolicies } from '../../sharing/field-policy';
import { viewFor } from '../../sharing/request-view';
import { RequestLoaders, type GraphqlContext } from './request-loaders';

/** Errors we did not raise on purpose are logged in full here, and shown to the client opaque. */
function errorLoggingPlugin(logger: Logger): ApolloServerPlugin<GraphqlContext> {
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

export function graphqlConfig(config: AppConfig, logger: Logger, ledger: DisclosureLedgerService): ApolloDriverConfig {
  return {
    autoSchemaFile: true,
    sortSchema: true,
    transformSchema: (schema: GraphQLSchema) => enforceFieldPolicies(schema),
    playground: false,
    introspection: true,
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
