import { DomainError } from '../errors/domain-error';

/**
 * Keyset cursors carry only the row id (never a gated value: docs/sharing-rules.md rule 12), base64url-encoded
 * with a version prefix so the format can change without misreading old cursors.
 */
const PREFIX = 'v1:';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function encodeCursor(id: string): string {
  return Buffer.from(PREFIX + id, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, field = 'after'): string {
  const raw = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = raw.startsWith(PREFIX) ? raw.slice(PREFIX.length) : '';
  if (!UUID.test(id)) throw DomainError.badInput(field, 'is not a cursor returned by this API');
  return id;
}
