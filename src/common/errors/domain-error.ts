import { HttpException } from '@nestjs/common';

/**
 * Errors the domain raises on purpose. Each code maps to exactly one GraphQL error code in
 * graphql-error.mapper.ts; a new code that is not mapped there does not compile.
 */
export const DOMAIN_ERROR_CODES = ['BAD_USER_INPUT', 'NOT_FOUND', 'FORBIDDEN', 'UNAUTHENTICATED', 'CONFLICT'] as const;
export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

export interface FieldProblem {
  /** Path of the offending input field, e.g. `input.email` or `rows.3.courseCode`. */
  field: string;
  message: string;
}

const HTTP_STATUS: Record<DomainErrorCode, number> = {
  BAD_USER_INPUT: 400,
  NOT_FOUND: 404,
  FORBIDDEN: 403,
  UNAUTHENTICATED: 401,
  CONFLICT: 409,
};

/**
 * Extends HttpException so Nest treats it as an expected outcome (no error-level log line); the
 * GraphQL mapping is done by graphql-error.mapper.ts.
 */
export class DomainError extends HttpException {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly fields: FieldProblem[] = [],
  ) {
    super(message, HTTP_STATUS[code]);
    this.name = 'DomainError';
  }

  static badInput(field: string, message: string): DomainError {
    return new DomainError('BAD_USER_INPUT', `${field}: ${message}`, [{ field, message }]);
  }

  static invalidFields(fields: FieldProblem[]): DomainError {
    return new DomainError('BAD_USER_INPUT', fields.map((f) => `${f.field}: ${f.message}`).join('; '), fields);
  }

  /**
   * Unknown ids and ids of another tenant answer identically, so a caller cannot probe for the
   * existence of records it may not see.
   */
  static notFound(what: string): DomainError {
    return new DomainError('NOT_FOUND', `${what} not found`);
  }

  static forbidden(message = 'Not allowed for this caller'): DomainError {
    return new DomainError('FORBIDDEN', message);
  }

  static conflict(field: string, message: string): DomainError {
    return new DomainError('CONFLICT', `${field}: ${message}`, [{ field, message }]);
  }
}
