import type { ComponentChildren } from 'preact';
import { useRoute } from './hooks';
import { CampaignPage } from './pages/campaign';
import { CampaignEdit, CampaignNew } from './pages/campaign-new';
import { Campaigns } from './pages/campaigns';
import { EmailPage } from './pages/emails';
import { Overview } from './pages/overview';
import { Suppressions } from './pages/suppressions';
import { TemplateEditor, Templates } from './pages/templates';
import { WebhookPage, Webhooks } from './pages/webhooks';
import { Title } from './ui';

const NAV = [
  { href: '#/', label: 'Overview', section: '' },
  { href: '#/campaigns', label: 'Campaigns', section: 'campaigns' },
  { href: '#/templates', label: 'Templates', section: 'templates' },
  { href: '#/suppressions', label: 'Suppressions', section: 'suppressions' },
  { href: '#/webhooks', label: 'Webhooks', section: 'webhooks' },
  { href: '#/emails', label: 'Email by id', section: 'emails' },
] as const;

/** The page for a route (`#/campaigns/abc` → the campaign abc). */
function page(route: string[]): ComponentChildren {
  const [section = '', id, action] = route;
  switch (section) {
    case '':
      return <Overview />;
    case 'campaigns':
      if (id === undefined) return <Campaigns />;
      if (id === 'new') return <CampaignNew />;
      return action === 'edit' ? <CampaignEdit key={id} id={id} /> : <CampaignPage key={id} id={id} />;
    case 'templates':
      if (id === undefined) return <Templates />;
      return <TemplateEditor key={id} name={id === 'new' ? undefined : id} />;
    case 'suppressions':
      return <Suppressions />;
    case 'webhooks':
      return id === undefined ? <Webhooks /> : <WebhookPage key={id} id={id} />;
    case 'emails':
      return <EmailPage key={id ?? ''} id={id} />;
    default:
      return <Title>Not found</Title>;
  }
}

/** The frame: a skip link, the navigation and the routed page. */
export function App({ who, onSignOut }: { who: string; onSignOut?: () => void }) {
  const route = useRoute();
  const section = route[0] ?? '';
  return (
    <div class="layout">
      {/* A button, not a link to #main: the hash is the router's. */}
      <button type="button" class="skip" onClick={() => document.getElementById('main')?.focus()}>
        Skip to the page
      </button>
      <nav aria-label="Console">
        <a class="brand" href="#/">
          Mailroom
        </a>
        <ul>
          {NAV.map((item) => (
            <li key={item.href}>
              <a href={item.href} aria-current={item.section === section ? 'page' : undefined}>
                {item.label}
              </a>
            </li>
          ))}
        </ul>
        <div class="who">
          {who}
          {onSignOut && (
            <div>
              <button type="button" class="secondary" onClick={onSignOut}>
                Sign out
              </button>
            </div>
          )}
        </div>
      </nav>
      <main id="main" tabIndex={-1}>
        {page(route)}
      </main>
    </div>
  );
}
