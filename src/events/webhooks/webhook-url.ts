import ipaddr from 'ipaddr.js';
import { DomainError } from '../../common/errors/domain-error';

const MAX_URL_LENGTH = 2048;

/**
 * Checks a webhook URL when it is saved (docs/events.md, "Subscribing"): http(s) only, no
 * credentials in it; https only where WEBHOOK_REQUIRE_HTTPS (production), and plain http only to
 * a loopback host (a receiver on the developer's machine); no private, loopback, link-local or
 * reserved address unless WEBHOOK_ALLOW_PRIVATE_TARGETS. A name is checked again where it
 * matters, when a delivery connects (webhook-sender.ts): what it resolves to then is what counts.
 */
export function checkWebhookUrl(
  raw: string,
  field: string,
  opts: { requireHttps: boolean; allowPrivateTargets: boolean },
): string {
  if (raw.length > MAX_URL_LENGTH)
    throw DomainError.badInput(field, `must be at most ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw DomainError.badInput(field, 'is not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw DomainError.badInput(field, 'must be an https URL');
  if (url.username || url.password)
    throw DomainError.badInput(
      field,
      'must not contain credentials: your endpoint verifies the signature instead',
    );
  if (url.hash) throw DomainError.badInput(field, 'must not have a fragment');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const loopback = isLoopback(host);
  if (url.protocol === 'http:' && (opts.requireHttps || !loopback)) {
    throw DomainError.badInput(
      field,
      opts.requireHttps
        ? 'must be an https URL'
        : 'must be an https URL (plain http only to a loopback address, for local testing)',
    );
  }
  if (!opts.allowPrivateTargets) {
    if (loopback || /(^|\.)(localhost|local|internal|home\.arpa)$/i.test(host))
      throw DomainError.badInput(field, 'must not point at a private or loopback address');
    // Both readings of an address: as written (an IPv4-mapped IPv6 address is a range of its own,
    // which the connect-time filter refuses) and as the IPv4 address it maps to.
    if (ipaddr.isValid(host) && (ipaddr.parse(host).range() !== 'unicast' || ipaddr.process(host).range() !== 'unicast'))
      throw DomainError.badInput(
        field,
        'must not point at a private, loopback or reserved address',
      );
  }
  return url.toString();
}

function isLoopback(host: string): boolean {
  if (/^localhost$/i.test(host) || /\.localhost$/i.test(host)) return true;
  return ipaddr.isValid(host) && ipaddr.process(host).range() === 'loopback';
}
