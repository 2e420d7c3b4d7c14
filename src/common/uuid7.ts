import { randomUUID } from 'node:crypto';

/**
 * UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then random bits. Ids made in time order sort in
 * time order, so an id is also a chronological keyset cursor. (PostgreSQL 17 has no uuidv7().)
 * The random bits come from randomUUID(), which draws from a cached entropy pool: a page writes
 * ~1,000 ids, and randomBytes(16) per id was a measurable share of it.
 */
export function uuid7(at = Date.now()): string {
  const random = randomUUID(); // xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx, variant bits (V) already 10
  const ms = at.toString(16).padStart(12, '0');
  return `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7${random.slice(15, 18)}-${random.slice(19)}`;
}
