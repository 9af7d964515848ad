import type { CreateCampaignRequest } from '@mailroom/client';
import { useState } from 'preact/hooks';
import { flash } from '../flash';
import { go, useAction, useApi, useLoad } from '../hooks';
import { ErrorBox, Title } from '../ui';

type Source = 'content' | 'template';
const SOURCES: readonly { value: Source; label: string }[] = [
  { value: 'content', label: 'Write it here' },
  { value: 'template', label: 'From a template' },
];

/** POST /v1/campaigns: a draft, from inline content or a stored template. */
export function CampaignNew() {
  const api = useApi();
  const [source, setSource] = useState<Source>('content');
  const templates = useLoad((signal) => api.templates.list({ limit: 100, signal }), 'templates');
  const save = useAction();

  const submit = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const field = (name: string) => {
      const value = String(form.get(name) ?? '').trim();
      return value === '' ? undefined : value;
    };
    const request: CreateCampaignRequest = {
      name: field('name') ?? '',
      ...(field('from') === undefined ? {} : { from: field('from') }),
      ...(source === 'template'
        ? { template: field('template') }
        : { subject: field('subject'), html: field('html'), text: field('text') }),
    };
    void save.run(async () => {
      const created = await api.campaigns.create(request);
      flash(created.warnings ?? []);
      go('campaigns', created.id);
    });
  };

  return (
    <section>
      <Title>New campaign</Title>
      <form onSubmit={submit}>
        <div class="field">
          <label for="name">Name</label>
          <input id="name" name="name" required />
        </div>
        <div class="field">
          <label for="from">From (optional)</label>
          <input id="from" name="from" placeholder="Acme <news@mail.acme.com>; the default sender if empty" />
        </div>
        <fieldset class="field">
          <legend>Content</legend>
          {SOURCES.map(({ value, label }) => (
            <label key={value}>
              <input
                type="radio"
                name="source"
                value={value}
                checked={source === value}
                onChange={() => setSource(value)}
                style={{ width: 'auto' }}
              />{' '}
              {label}
            </label>
          ))}
        </fieldset>
        {source === 'content' ? (
          <>
            <div class="field">
              <label for="subject">Subject</label>
              <input id="subject" name="subject" required placeholder="News for {{first_name}}" />
            </div>
            <div class="field">
              <label for="html">HTML</label>
              <textarea
                id="html"
                name="html"
                placeholder={'<p>Hi {{first_name}}</p>\n<p><a href="{{unsubscribe_url}}">Unsubscribe</a></p>'}
              />
            </div>
            <div class="field">
              <label for="text">Text</label>
              <textarea
                id="text"
                name="text"
                placeholder="Hi {{first_name}}. Unsubscribe: {{unsubscribe_url}}"
              />
            </div>
            <p class="muted">
              Merge tags are Handlebars: <code>{'{{first_name}}'}</code> takes the recipient's{' '}
              <code>first_name</code> column. Every campaign mail needs a visible{' '}
              <code>{'{{unsubscribe_url}}'}</code> link.
            </p>
          </>
        ) : (
          <div class="field">
            <label for="template">Template</label>
            <select id="template" name="template" required>
              {(templates.data?.items ?? []).map((template) => (
                <option key={template.name} value={template.name}>
                  {template.name}
                </option>
              ))}
            </select>
            <ErrorBox error={templates.error} />
            <span class="muted">
              Its content is copied into the campaign now: later edits do not change it.
            </span>
          </div>
        )}
        <div class="actions">
          <button type="submit" disabled={save.busy}>
            Create draft
          </button>
          <a class="button secondary" href="#/campaigns">
            Cancel
          </a>
        </div>
        <ErrorBox error={save.error} />
      </form>
    </section>
  );
}
