import type { Credentials } from '@mailroom/client';
import type { CognitoConfig } from './config';

/**
 * Sign-in in AWS: the user pool's hosted sign-in page (authorization code with PKCE, so the page
 * holds no client secret and never sees a password; it also handles MFA and the first-sign-in
 * password change of admin-created users), then the identity pool trades the ID token for
 * temporary AWS credentials of its authenticated role, which carries the admin API policy. The
 * client signs every /v1 request with them (SigV4), as any backend does. Two plain JSON calls per
 * service: no Cognito SDK in the bundle.
 */
export interface Session {
  user: string;
  credentials: Credentials;
  signOut: () => void;
}

interface Tokens {
  idToken: string;
  refreshToken?: string;
  /** Epoch ms. */
  expiresAt: number;
}

/** sessionStorage: the tab's own, gone when it closes. */
const TOKENS = 'mailroom.tokens';
const VERIFIER = 'mailroom.pkce';
/** Credentials are renewed this long before they expire. */
const MARGIN_MS = 5 * 60_000;

function redirectUri(): string {
  return `${location.origin}${location.pathname}`;
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

async function startSignIn(config: CognitoConfig): Promise<void> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem(VERIFIER, JSON.stringify({ verifier, state, hash: location.hash }));
  const challenge = base64url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );
  const url = new URL('/oauth2/authorize', config.signInUrl);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.userPoolClientId,
    redirect_uri: redirectUri(),
    scope: 'openid email',
    state,
    code_challenge_method: 'S256',
    code_challenge: challenge,
  }).toString();
  location.assign(url.toString());
}

async function tokenCall(config: CognitoConfig, body: Record<string, string>): Promise<Tokens> {
  const response = await fetch(new URL('/oauth2/token', config.signInUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: config.userPoolClientId, ...body }).toString(),
  });
  const json = (await response.json()) as {
    id_token?: string;
    refresh_token?: string;
    expires_in?: number;
    error?: string;
  };
  if (!response.ok || json.id_token === undefined) {
    throw new Error(`sign-in failed: ${json.error ?? `HTTP ${response.status}`}`);
  }
  const tokens: Tokens = {
    idToken: json.id_token,
    expiresAt: Date.now() + (json.expires_in ?? 3600) * 1000,
    ...((json.refresh_token ?? body.refresh_token)
      ? { refreshToken: json.refresh_token ?? body.refresh_token }
      : {}),
  };
  sessionStorage.setItem(TOKENS, JSON.stringify(tokens));
  return tokens;
}

/** The code the hosted page sent back, exchanged; the URL cleaned of it. */
async function finishSignIn(config: CognitoConfig, params: URLSearchParams): Promise<Tokens> {
  const pending = JSON.parse(sessionStorage.getItem(VERIFIER) ?? '{}') as {
    verifier?: string;
    state?: string;
    hash?: string;
  };
  sessionStorage.removeItem(VERIFIER);
  if (!pending.verifier || pending.state !== params.get('state')) {
    throw new Error('sign-in answer does not match the sign-in this tab started: reload to sign in again');
  }
  const tokens = await tokenCall(config, {
    grant_type: 'authorization_code',
    code: params.get('code') ?? '',
    redirect_uri: redirectUri(),
    code_verifier: pending.verifier,
  });
  history.replaceState(null, '', `${location.pathname}${pending.hash ?? ''}`);
  return tokens;
}

async function identityCall<T>(region: string, action: string, body: unknown): Promise<T> {
  const response = await fetch(`https://cognito-identity.${region}.amazonaws.com/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSCognitoIdentityService.${action}`,
    },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as T & { message?: string; __type?: string };
  if (!response.ok)
    throw new Error(`Cognito ${action}: ${json.__type ?? response.status} ${json.message ?? ''}`);
  return json;
}

/** The identity pool's temporary credentials for an ID token of the user pool. */
async function awsCredentials(config: CognitoConfig, idToken: string) {
  const logins = { [`cognito-idp.${config.region}.amazonaws.com/${config.userPoolId}`]: idToken };
  const { IdentityId } = await identityCall<{ IdentityId: string }>(config.region, 'GetId', {
    IdentityPoolId: config.identityPoolId,
    Logins: logins,
  });
  const { Credentials: c } = await identityCall<{
    Credentials: { AccessKeyId: string; SecretKey: string; SessionToken: string; Expiration: number };
  }>(config.region, 'GetCredentialsForIdentity', { IdentityId, Logins: logins });
  return {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretKey,
    sessionToken: c.SessionToken,
    expiration: new Date(c.Expiration * 1000),
  };
}

function claims(idToken: string): { email?: string; 'cognito:username'?: string } {
  const payload = idToken.split('.')[1] ?? '';
  return JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { email?: string };
}

/** A session, or undefined while the browser goes to the sign-in page. */
export async function signIn(config: CognitoConfig): Promise<Session | undefined> {
  const params = new URLSearchParams(location.search);
  let tokens: Tokens | undefined = params.has('code')
    ? await finishSignIn(config, params)
    : ((JSON.parse(sessionStorage.getItem(TOKENS) ?? 'null') as Tokens | null) ?? undefined);
  if (tokens === undefined) {
    await startSignIn(config);
    return undefined;
  }
  let current: Awaited<ReturnType<typeof awsCredentials>> | undefined;
  const credentials: Credentials = async () => {
    if (current && current.expiration.getTime() - Date.now() > MARGIN_MS) return current;
    if (tokens && tokens.expiresAt - Date.now() < MARGIN_MS) {
      tokens = tokens.refreshToken
        ? await tokenCall(config, { grant_type: 'refresh_token', refresh_token: tokens.refreshToken })
        : undefined;
    }
    if (tokens === undefined) {
      sessionStorage.removeItem(TOKENS);
      await startSignIn(config);
      throw new Error('the session ended: signing in again');
    }
    current = await awsCredentials(config, tokens.idToken);
    return current;
  };
  const who = claims(tokens.idToken);
  return {
    user: who.email ?? who['cognito:username'] ?? 'signed in',
    credentials,
    signOut: () => {
      sessionStorage.removeItem(TOKENS);
      const url = new URL('/logout', config.signInUrl);
      url.search = new URLSearchParams({
        client_id: config.userPoolClientId,
        logout_uri: redirectUri(),
      }).toString();
      location.assign(url.toString());
    },
  };
}
