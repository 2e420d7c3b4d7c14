import { randomBytes } from 'node:crypto';

/**
 * UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then random bits. Ids made in time order sort in
 * time order, so an id is also a chronological keyset cursor. (PostgreSQL 17 has no uuidv7().)
 */
export function uuid7(at = Date.now()): string {
  const b = randomBytes(16);
  b.writeUIntBE(at, 0, 6);
  b[6] = (b[6] & 0x0f) | 0x70; // version 7
  b[8] = (b[8] & 0x3f) | 0x80; // variant 10
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
