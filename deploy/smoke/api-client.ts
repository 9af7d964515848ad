import { isIP } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/** How requests to the API are authenticated: local mode takes anything, API Gateway wants SigV4. */
export type Signing = { signed: false } | { signed: true; region: string };

/** An execute-api host: `{api-id}.execute-api.{region}.amazonaws.com` (also `.cn`, and VPC endpoint forms). */
const EXECUTE_API_HOST = /\.execute-api\.([a-z]{2}(?:-[a-z]+)+-\d+)\.(?:vpce\.)?amazonaws\.com(?:\.cn)?$/;

export class UsageError extends Error {}

export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '0:0:0:0:0:0:0:1';
}

/**
 * Loopback (local mode, `npm start`): unsigned. Anything else: SigV4 for `execute-api`, in the
 * region given, else the one in an execute-api host name (a custom domain does not say).
 */
export function signingFor(api: URL, region?: string): Signing {
  if (isLoopback(api.hostname)) return { signed: false };
  const fromHost = EXECUTE_API_HOST.exec(api.hostname)?.[1];
  const chosen = region ?? fromHost;
  if (!chosen) {
    throw new UsageError(
      `cannot tell the AWS region from ${api.hostname} (not an execute-api host): pass --region <region>`,
    );
  }
  return { signed: true, region: chosen };
}

export interface ApiResponse {
  status: number;
  contentType: string;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export interface ApiClientOptions {
  /** The API's base URL, stage included (`https://…/live`). */
  baseUrl: URL;
  signing: Signing;
  /** @default the standard chain: environment, profile, SSO, role */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  fetch?: typeof fetch;
}

/** Calls the API by path (`/v1/account`), signed or not, and any absolute URL (unsubscribe links) unsigned. */
export class ApiClient {
  private readonly signer: SignatureV4 | undefined;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: ApiClientOptions) {
    this.fetch = options.fetch ?? fetch;
    this.signer = options.signing.signed
      ? new SignatureV4({
          service: 'execute-api',
          region: options.signing.region,
          credentials: options.credentials ?? fromNodeProviderChain(),
          sha256: Sha256,
        })
      : undefined;
  }

  /** The full URL of an API path, under the stage. */
  url(path: string): URL {
    const base = this.options.baseUrl.href.replace(/\/+$/, '');
    return new URL(`${base}${path}`);
  }

  /** `path` is URL-encoded by the caller (`encodeURIComponent` for each parameter). */
  async call(method: string, path: string, body?: unknown, timeoutMs = 15_000): Promise<ApiResponse> {
    const url = this.url(path);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> =
      payload === undefined ? {} : { 'content-type': 'application/json' };
    const signed = await this.sign(method, url, headers, payload);
    return this.send(
      url,
      { method, headers: signed, ...(payload === undefined ? {} : { body: payload }) },
      timeoutMs,
    );
  }

  /** A public URL (the unsubscribe link), never signed: a mail client has no credentials either. */
  async public(
    url: URL,
    init: { method: string; headers?: Record<string, string>; body?: string },
    timeoutMs = 15_000,
  ) {
    return this.send(url, init, timeoutMs);
  }

  /** The headers to send: `headers` plus the SigV4 ones when signing. */
  async sign(
    method: string,
    url: URL,
    headers: Record<string, string>,
    body: string | undefined,
  ): Promise<Record<string, string>> {
    if (!this.signer) return headers;
    const signed = await this.signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { ...headers, host: url.host },
      ...(body === undefined ? {} : { body }),
    });
    // fetch sets Host from the URL itself (the same value that was signed).
    const { host: _host, ...rest } = signed.headers;
    return rest;
  }

  private async send(
    url: URL,
    init: { method: string; headers?: Record<string, string>; body?: string },
    timeoutMs: number,
  ): Promise<ApiResponse> {
    const response = await this.fetch(url, {
      ...init,
      redirect: 'manual',
      signal: AbortSignal.timeout(Math.max(1, timeoutMs)),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, contentType: response.headers.get('content-type') ?? '', text, json };
  }
}

/** `{error: {code, message}}` of an API error, as one line. */
export function describeError(response: ApiResponse): string {
  const error = (response.json as { error?: { code?: string; message?: string } } | undefined)?.error;
  if (error) return `HTTP ${response.status} ${error.code ?? ''}: ${error.message ?? ''}`.trim();
  // API Gateway's own answers (403 without a valid signature, 429) are `{message}`.
  const message = (response.json as { message?: string } | undefined)?.message;
  return `HTTP ${response.status}${message ? `: ${message}` : response.text ? `: ${response.text.slice(0, 200)}` : ''}`;
}
