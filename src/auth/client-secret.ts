import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (pw: string, salt: Buffer, len: number, opts: object) => Promise<Buffer>;

// The secrets are 256 random bits, so brute force is hopeless whatever the cost factor; a
// moderate one (16 MiB, ~30 ms) keeps the token endpoint responsive under load. Password-grade
// parameters (N=2^17) would add 128 MiB per concurrent token request and no security.
const N = 16384;
const R = 8;
const P = 1;
const KEY_LEN = 32;
const MAXMEM = 256 * N * R;

export function generateClientId(): string {
  return `rsa_${randomBytes(12).toString('hex')}`;
}

/** 256 random bits: a secret that cannot be guessed, shown to its owner once. */
export function generateClientSecret(): string {
  return `rsas_${randomBytes(32).toString('base64url')}`;
}

export async function hashClientSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(secret, salt, KEY_LEN, { N, r: R, p: P, maxmem: MAXMEM });
  return ['scrypt', N, R, P, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

export async function verifyClientSecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scryptAsync(secret, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 256 * Number(n) * Number(r),
  });
  return timingSafeEqual(actual, expected);
}
