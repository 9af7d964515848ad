import { MailroomClient } from '@mailroom/client';
import { render } from 'preact';
import { App } from './app';
import { signIn } from './auth';
import { loadConfig } from './config';
import { ApiContext } from './hooks';

/**
 * Boots the console: reads config.json, signs in where the API wants SigV4 (Cognito, in AWS), and
 * renders. Local mode needs no sign-in: the API is this origin and takes unsigned requests.
 */
async function boot(root: HTMLElement): Promise<void> {
  const config = await loadConfig();
  // The page's "Loading…" placeholder: render() adds to what is there.
  root.replaceChildren();
  const apiUrl = config.apiUrl ?? location.origin;
  if (config.auth === undefined) {
    const api = new MailroomClient({ apiUrl });
    render(
      <ApiContext.Provider value={api}>
        <App who={`Local mode: ${apiUrl} (no sign-in)`} />
      </ApiContext.Provider>,
      root,
    );
    return;
  }
  const session = await signIn(config.auth);
  if (session === undefined) return; // on its way to the sign-in page
  const api = new MailroomClient({ apiUrl, region: config.auth.region, credentials: session.credentials });
  render(
    <ApiContext.Provider value={api}>
      <App who={`Signed in as ${session.user}`} onSignOut={session.signOut} />
    </ApiContext.Provider>,
    root,
  );
}

const root = document.getElementById('app');
if (root) {
  boot(root).catch((error: unknown) => {
    const message = document.createElement('p');
    message.className = 'error';
    message.textContent = `The console could not start: ${error instanceof Error ? error.message : String(error)}`;
    root.replaceChildren(message);
  });
}
