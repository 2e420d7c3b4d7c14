import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { isCalendarDate } from '../calendar-date';
import { isoInstant } from '../iso-instant';

/** The instants the API accepts: those PostgreSQL and every reader agree on (docs/architecture.md, "Inputs"). */
export const EARLIEST_YEAR = 1900;
export const LATEST_YEAR = 9999;

/** Date's range: ±100,000,000 days from 1970 (ECMA-262, Time Values). */
const MAX_INSTANT = 8.64e15;

const ISO = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * DateTime, strictly: an ISO 8601 string with a time zone, for a date that exists (no
 * 2026-02-30, which JavaScript would quietly turn into 2 March), a time that exists, and a year
 * from 1900 to 9999. Epoch numbers and anything looser are refused — as BAD_USER_INPUT naming the
 * field — instead of being guessed at. Same name and output as the built-in scalar.
 */
export const StrictDateTime = new GraphQLScalarType<Date | null, string>({
  name: 'DateTime',
  description: 'A date-time string with a time zone, such as 2026-12-03T09:54:33Z (ISO 8601; years 1900–9999). Output is always UTC.',
  // Output: a Date, or epoch milliseconds — how rows read as JSON keep their instants
  // (common/database/json-rows.ts, Lean).
  serialize(value) {
    // A number is written without a Date made for it (common/iso-instant.ts); NaN, infinities and
    // numbers past Date's range fall through to the invalid date's error below.
    if (typeof value === 'number' && Math.abs(value) <= MAX_INSTANT) return isoInstant(value);
    const date = value instanceof Date ? value : new Date(value as number | string);
    if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime cannot represent an invalid date');
    return date.toISOString();
  },
  parseValue(value) {
    return parse(value);
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw invalid('must be an ISO 8601 date-time string');
    return parse(ast.value);
  },
});

function parse(value: unknown): Date {
  if (typeof value !== 'string') throw invalid('must be an ISO 8601 date-time string (not a number)');
  const m = ISO.exec(value);
  if (!m) throw invalid('must be an ISO 8601 date-time with a time zone, e.g. 2026-12-03T09:54:33Z');
  const [, day, hh, mm, ss] = m;
  if (!isCalendarDate(day)) throw invalid(`${m[1]} is not a date that exists`);
  if (Number(hh) > 23 || Number(mm) > 59 || Number(ss ?? 0) > 59) throw invalid('is not a time that exists');
  const year = Number(day.slice(0, 4));
  if (year < EARLIEST_YEAR || year > LATEST_YEAR) throw invalid(`must be in the years ${EARLIEST_YEAR} to ${LATEST_YEAR}`);
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw invalid('is not a valid date-time');
  return date;
}

function invalid(message: string): GraphQLError {
  return new GraphQLError(`DateTime ${message}`, { extensions: { code: 'BAD_USER_INPUT' } });
}
