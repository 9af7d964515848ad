import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { MailroomConfigError } from './errors';

/** An execute-api host: `{api-id}.execute-api.{region}.amazonaws.com` (also `.cn`, and VPC endpoint forms). */
const EXECUTE_API_HOST = /\.execute-api\.([a-z]{2}(?:-[a-z]+)+-\d+)\.(?:vpce\.)?amazonaws\.com(?:\.cn)?$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;

/** Local mode (`npm start`) listens on loopback and takes unsigned requests. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (/^127(?:\.\d{1,3}){3}$/.test(host)) return true;
  return host === '::1' || host === '0:0:0:0:0:0:0:1';
}

/** How requests are authenticated: local mode takes anything, API Gateway wants SigV4 for `execute-api`. */
export type Signing = { signed: false } | { signed: true; region: string };

/**
 * The API's base URL, checked: http(s), no query, fragment or credentials. Its path is the stage
 * (`/live`); a trailing slash is dropped.
 */
export function parseApiUrl(apiUrl: string | URL): URL {
  let url: URL;
  try {
    url = new URL(String(apiUrl));
  } catch {
    throw new MailroomConfigError(
      `apiUrl "${String(apiUrl)}" is not a URL: give the stack's ApiUrl output (https://{id}.execute-api.{region}.amazonaws.com/live) or local mode's http://127.0.0.1:3000`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new MailroomConfigError(`apiUrl must be http(s), not ${url.protocol}`);
  }
  if (url.username || url.password) throw new MailroomConfigError('apiUrl must not carry credentials');
  if (url.search || url.hash) {
    throw new MailroomConfigError('apiUrl is the base URL, without ?query or #fragment');
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw new MailroomConfigError(
      `apiUrl ${url.origin} is plain http: only local mode (a loopback address) is reached without TLS`,
    );
  }
  url.pathname = url.pathname.replace(/\/+$/, '');
  return url;
}

/**
 * Loopback (local mode): unsigned. Anything else: SigV4 for `execute-api`, in the region given,
 * else the one in an execute-api host name (a custom domain does not say). `sign` forces either.
 */
export function signingFor(api: URL, options: { region?: string; sign?: boolean }): Signing {
  const wanted = options.sign ?? !isLoopback(api.hostname);
  if (!wanted) return { signed: false };
  if (options.region !== undefined && !REGION.test(options.region)) {
    throw new MailroomConfigError(`region "${options.region}" is not an AWS region name (like eu-west-1)`);
  }
  const region = options.region ?? EXECUTE_API_HOST.exec(api.hostname)?.[1];
  if (!region) {
    throw new MailroomConfigError(
      `cannot tell the AWS region from ${api.hostname} (not an execute-api host): pass the region to sign for`,
    );
  }
  return { signed: true, region };
}

export type Credentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

export interface SignerOptions {
  region: string;
  credentials?: Credentials | undefined;
  profile?: string | undefined;
}

/**
 * Signs requests with SigV4. The credentials are resolved before the first request: given ones, or
 * the standard chain (environment, profile, SSO, container or instance role). Keys in the
 * environment are read here; the rest of the chain is imported only when needed (see
 * standardChain), so an edge bundle never contains it.
 */
export class RequestSigner {
  private signer: Promise<SignatureV4> | undefined;

  constructor(private readonly options: SignerOptions) {
    if (options.credentials !== undefined && options.profile !== undefined) {
      throw new MailroomConfigError('give credentials or profile, not both');
    }
  }

  /** `headers` plus the SigV4 ones (`authorization`, `x-amz-date`, `x-amz-content-sha256`, any token). */
  async sign(
    method: string,
    url: URL,
    headers: Record<string, string>,
    body: string | undefined,
  ): Promise<Record<string, string>> {
    // A failure (no credentials yet) is not kept: the next call looks again.
    this.signer ??= this.createSigner().catch((error: unknown) => {
      this.signer = undefined;
      throw error;
    });
    const signer = await this.signer;
    const signed = await signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      // Encoded once by the client (encodeURIComponent per segment). The signer encodes each
      // segment again (uriEscapePath, its default), as API Gateway does when it checks: `%40`
      // signs as `%2540`.
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { ...headers, host: url.host },
      ...(body === undefined ? {} : { body }),
    });
    // fetch sets Host from the URL itself: the value that was signed.
    const { host: _host, ...rest } = signed.headers;
    return rest;
  }

  private async createSigner(): Promise<SignatureV4> {
    const credentials =
      this.options.credentials ??
      (this.options.profile === undefined ? fromEnvironment() : undefined) ??
      (await standardChain(this.options.profile));
    // Resolved once now, so missing credentials are an error before any request, not a failed send.
    const provider: AwsCredentialIdentityProvider =
      typeof credentials === 'function' ? credentials : async () => credentials;
    await resolveOrExplain(provider, this.options.profile);
    return new SignatureV4({
      service: 'execute-api',
      region: this.options.region,
      credentials: provider,
      sha256: Sha256,
    });
  }
}

/**
 * The chain's first link, without loading the chain: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`
 * and `AWS_SESSION_TOKEN`, as Lambda and most hosting platforms set them. Skipped when
 * `AWS_PROFILE` names a profile, as the SDK's chain skips them then.
 */
function fromEnvironment(): AwsCredentialIdentity | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  if (!env || env.AWS_PROFILE) return undefined;
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = env;
  if (!accessKeyId || !secretAccessKey) return undefined;
  const sessionToken = env.AWS_SESSION_TOKEN;
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

/**
 * Named through a variable so that bundlers (esbuild, webpack, Next.js, wrangler) leave the import
 * alone: the chain is Node.js code (files, processes, the instance metadata service) that an edge
 * bundle could not even build. In Node.js it loads from node_modules when first needed.
 */
const CREDENTIAL_CHAIN_MODULE = '@aws-sdk/credential-providers';

async function standardChain(profile: string | undefined): Promise<AwsCredentialIdentityProvider> {
  let chain: typeof import('@aws-sdk/credential-providers');
  try {
    chain = await import(/* webpackIgnore: true */ /* @vite-ignore */ CREDENTIAL_CHAIN_MODULE);
  } catch (error) {
    throw new MailroomConfigError(
      `no credentials given and the AWS credential chain (@aws-sdk/credential-providers) cannot be loaded here (${(error as Error).message}): pass credentials`,
    );
  }
  return chain.fromNodeProviderChain(profile === undefined ? {} : { profile });
}

async function resolveOrExplain(
  provider: AwsCredentialIdentityProvider,
  profile: string | undefined,
): Promise<void> {
  let identity: AwsCredentialIdentity;
  try {
    identity = await provider();
  } catch (error) {
    const where =
      profile === undefined
        ? 'the standard chain found none (environment, AWS_PROFILE, SSO, container or instance role)'
        : `profile "${profile}" gave none`;
    throw new MailroomConfigError(
      `no AWS credentials to sign the request with: ${where}: ${(error as Error).message}`,
    );
  }
  if (!identity?.accessKeyId || !identity.secretAccessKey) {
    throw new MailroomConfigError('the AWS credentials have no access key id or secret access key');
  }
}
