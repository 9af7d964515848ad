/**
 * What the console is told about where it runs, from `config.json` beside the page: local mode
 * serves `{}` (the API is this origin, unsigned); the stack writes the API's URL and the Cognito
 * pools the browser signs in with.
 */
export interface ConsoleConfig {
  /** The API's base URL with its stage (the stack's ApiUrl). @default this page's origin (local mode) */
  apiUrl?: string;
  /** Cognito sign-in; absent in local mode, which has no authentication. */
  auth?: CognitoConfig;
}

export interface CognitoConfig {
  region: string;
  userPoolId: string;
  userPoolClientId: string;
  identityPoolId: string;
  /** The user pool's hosted sign-in domain, e.g. `https://mailroom-acme.auth.eu-west-1.amazoncognito.com`. */
  signInUrl: string;
}

export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch('config.json');
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  return (await response.json()) as ConsoleConfig;
}
