import { getNamedType, getNullableType, isListType, type DocumentNode, type GraphQLSchema } from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../common/pagination/connection';

/**
 * The cost of an operation, from its document alone, before anything runs (docs/api-limits.md):
 * every field costs 1; a connection costs its `first` (or the default page size) times what is
 * selected under it; any other list costs `listSize` times its children (a learner's enrolments,
 * an enrolment's results); aliases count like fields, fragments as often as they are spread.
 */
export function operationCost(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | undefined, listSize: number): number {
  return getComplexity({ schema, query: document, variables, operationName, estimators: [listAware(listSize)] });
}

function listAware(listSize: number): ComplexityEstimator {
  return ({ type, field, args, childComplexity }) => {
    const named = getNamedType(field.type);
    if (named.name.endsWith('Connection')) {
      // Clamped to what a page can hold: a negative `first` must not make an operation cheap.
      const first = typeof args.first === 'number' ? Math.min(Math.max(Math.trunc(args.first), 1), MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE;
      return 1 + first * childComplexity;
    }
    // A connection's own lists hold the page its `first` already counted.
    if (type.name.endsWith('Connection')) return 1 + childComplexity;
    if (isListType(getNullableType(field.type))) return 1 + listSize * childComplexity;
    return 1 + childComplexity;
  };
}
