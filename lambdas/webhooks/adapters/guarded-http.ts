import { type LookupAddress, lookup } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { WEBHOOK_DELIVERY_TIMEOUT_MS } from '../../../contract/thresholds';
import { type AddressPolicy, allowedKind, classifyAddress, unbracket } from '../address-policy';
import type { PostResult, PostWebhook } from '../ports';
import { urlProblem } from '../webhook-url';

/** What is read of an answer before the connection is dropped; the rest is never downloaded. */
const MAX_RESPONSE_BYTES = 64 * 1024;
/** What an attempt's record keeps of the answer. */
const RESPONSE_EXCERPT = 200;

/** A delivery refused by the SSRF rules (no connection was made). */
export class RefusedAddressError extends Error {}

/**
 * Resolves the name with every address it has, refuses if ANY of them is not allowed (a name with
 * one public and one private address could otherwise be steered to the private one), and hands the
 * checked addresses to the socket, which connects to exactly those: no second lookup that DNS
 * rebinding could answer differently. Node's http(s) `lookup` option is the hook for this
 * (https://nodejs.org/api/http.html#httprequesturl-options-callback: "lookup: Custom lookup
 * function. Default: dns.lookup()"); TLS still verifies the certificate against the URL's host name
 * (SNI and Host stay the name).
 */
export function guardedLookup(policy: AddressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    lookup(
      hostname,
      { all: true, verbatim: true, family: options.family ?? 0 },
      (error, addresses: LookupAddress[]) => {
        if (error) return callback(error, '', 0);
        const refused = addresses.find((a) => !allowedKind(classifyAddress(a.address), policy));
        if (refused || addresses.length === 0) {
          const why = refused
            ? `${classifyAddress(refused.address)} address ${refused.address}`
            : 'no address';
          return callback(new RefusedAddressError(`${hostname} resolves to a ${why}`), '', 0);
        }
        if (options.all)
          return (callback as unknown as (e: null, all: LookupAddress[]) => void)(null, addresses);
        const [first] = addresses as [LookupAddress];
        return callback(null, first.address, first.family);
      },
    );
  };
}

/**
 * POSTs a signed delivery under the SSRF rules: the URL is checked again (scheme, credentials,
 * literal addresses), names go through {@link guardedLookup}, redirects are not followed (Node's
 * http client never follows them; a 3xx is a failure like any non-2xx), the attempt ends after
 * WEBHOOK_DELIVERY_TIMEOUT_MS, and at most 64 KiB of the answer is read.
 */
export function guardedPost(policy: AddressPolicy, timeoutMs = WEBHOOK_DELIVERY_TIMEOUT_MS): PostWebhook {
  const lookupChecked = guardedLookup(policy);
  return async (url, headers, body) => {
    const started = performance.now();
    const finish = (result: Omit<PostResult, 'latencyMs'>): PostResult => ({
      ...result,
      latencyMs: performance.now() - started,
    });
    const problem = urlProblem(url, policy);
    if (problem) return finish({ ok: false, error: `refused: the URL ${problem}` });
    const target = new URL(url);
    // A literal IP never reaches `lookup` (net.connect skips it), so it was checked just above.
    const literal = isIP(unbracket(target.hostname)) !== 0;
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<PostResult>((resolve) => {
      const request = send(target, {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'Mailroom-Webhooks/1',
        },
        ...(literal ? {} : { lookup: lookupChecked }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      request.on('response', (response: IncomingMessage) => {
        const status = response.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let read = 0;
        const done = () => {
          const excerpt = Buffer.concat(chunks).toString('utf8').slice(0, RESPONSE_EXCERPT);
          resolve(
            finish({
              ok: status >= 200 && status < 300,
              httpStatus: status,
              ...(status >= 300 && status < 400 ? { error: 'redirects are not followed' } : {}),
              ...(excerpt ? { response: excerpt } : {}),
            }),
          );
        };
        response.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read <= MAX_RESPONSE_BYTES) chunks.push(chunk);
          else {
            response.destroy();
            done();
          }
        });
        response.on('end', done);
        response.on('error', done);
      });
      request.on('error', (error: Error) => {
        const timedOut = error.name === 'AbortError' || error.name === 'TimeoutError';
        const reason = timedOut ? `no answer within ${timeoutMs / 1000} s` : error.message;
        resolve(
          finish({ ok: false, error: error instanceof RefusedAddressError ? `refused: ${reason}` : reason }),
        );
      });
      request.end(body);
    });
  };
}
