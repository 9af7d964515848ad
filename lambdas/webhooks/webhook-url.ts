import { isIP } from 'node:net';
import {
  type AddressPolicy,
  allowedKind,
  classifyAddress,
  isLoopbackName,
  unbracket,
} from './address-policy';
import { MAX_WEBHOOK_URL_LENGTH } from './webhook-schemas';

/**
 * Why a webhook URL is refused, before any DNS: the rules that need only the URL. WHATWG URL
 * parsing normalizes the IPv4 spellings an attacker might use (`0x7f.1`, `2130706433`,
 * `0177.0.0.1` all become `127.0.0.1`) and IPv4-mapped IPv6 (`[::ffff:127.0.0.1]` becomes
 * `[::ffff:7f00:1]`), so the literal check sees the real address. A name is checked again, with the
 * addresses it resolves to, each time a delivery connects (adapters/guarded-http.ts).
 */
export function urlProblem(text: string, policy: AddressPolicy): string | undefined {
  if (text.length > MAX_WEBHOOK_URL_LENGTH) return `must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be an absolute URL';
  }
  const schemes = policy.allowLoopback ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(url.protocol)) return `must start with ${schemes.map((s) => `${s}//`).join(' or ')}`;
  if (url.username !== '' || url.password !== '') return 'must not carry a user name or password';
  const host = unbracket(url.hostname);
  if (host === '') return 'must name a host';
  if (isIP(host) !== 0) {
    const kind = classifyAddress(host);
    if (!allowedKind(kind, policy)) return `must not point to a ${kind} address (${host})`;
  } else if (isLoopbackName(host) && !policy.allowLoopback) {
    return `must not point to a loopback address (${host})`;
  }
  return undefined;
}
