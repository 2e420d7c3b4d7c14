import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** A new signing secret in the Standard Webhooks form: `whsec_` and 32 random bytes, base64. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * The `webhook-signature` header (Standard Webhooks, signed by its reference library): one `v1,…`
 * signature per secret in force, space-separated, so a receiver verifies with either during a
 * rotation's overlap.
 */
export function signatureHeader(
  secrets: string[],
  msgId: string,
  at: Date,
  payload: string,
): string {
  return secrets.map((s) => new Webhook(s).sign(msgId, at, payload)).join(' ');
}
