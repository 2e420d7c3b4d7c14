import { HttpException } from '@nestjs/common';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { assertUnreachable } from './assert-unreachable';
import { DomainError, type DomainErrorCode } from './domain-error';

const UNIQUE_VIOLATION = '23505';

function graphqlCode(code: DomainErrorCode): string {
  switch (code) {
    case 'BAD_USER_INPUT':
      return 'BAD_USER_INPUT';
    case 'NOT_FOUND':
      return 'NOT_FOUND';
    case 'FORBIDDEN':
      return 'FORBIDDEN';
    case 'UNAUTHENTICATED':
      return 'UNAUTHENTICATED';
    case 'CONFLICT':
      return 'CONFLICT';
    default:
      return assertUnreachable(code);
  }
}

/** Codes whose messages we wrote ourselves and are safe to show. */
const SAFE_GRAPHQL_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
  // API limits (docs/api-limits.md): they carry the cost and, when throttled, when to retry.
  'QUERY_TOO_COSTLY',
  'THROTTLED',
  // Too many heavy operations waiting on this process (docs/api-limits.md, "Heavy operations").
  'SERVICE_UNAVAILABLE',
]);

/**
 * The one place errors become what a client sees. Domain errors keep their message and fields;
 * GraphQL's own validation errors pass; everything else is an opaque INTERNAL_SERVER_ERROR with no
 * stack, no SQL and no value from the database (which could be another tenant's data).
 */
export function formatGraphqlError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
  const base = { locations: formatted.locations, path: formatted.path };

  if (original instanceof DomainError) {
    return {
      ...base,
      message: original.message,
      extensions: {
        code: graphqlCode(original.code),
        ...(original.fields.length > 0 ? { field: original.fields[0].field, fields: original.fields } : {}),
      },
    };
  }
  if (original instanceof HttpException) {
    const status = original.getStatus();
    const code = status === 401 ? 'UNAUTHENTICATED' : status === 403 ? 'FORBIDDEN' : status === 404 ? 'NOT_FOUND' : 'BAD_REQUEST';
    return { ...base, message: original.message, extensions: { code } };
  }
  if (isUniqueViolation(original)) {
    // A race lost against a concurrent insert of the same key: the client may retry.
    return { ...base, message: 'A record with the same unique value already exists', extensions: { code: 'CONFLICT' } };
  }
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && SAFE_GRAPHQL_CODES.has(code)) {
    const { cost, retryAfterSeconds } = formatted.extensions ?? {};
    return { ...base, message: formatted.message, extensions: { code, ...(cost ? { cost } : {}), ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) } };
  }
  return { ...base, message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

function isUniqueViolation(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === UNIQUE_VIOLATION;
}
