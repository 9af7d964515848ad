import type { Campaign, CreateCampaignRequest, Template, UpdateCampaignRequest } from '@mailroom/client';
import { useState } from 'preact/hooks';
import { contentWarnings } from '../../../lambdas/campaigns/unsubscribe-link';
import type { TemplateContent } from '../../../lambdas/templates/template-rules';
import { flash } from '../flash';
import { go, useAction, useApi, useLoad } from '../hooks';
import { Preview, SampleData } from '../preview';
import { ErrorBox, FailureList, Title } from '../ui';

type Source = 'content' | 'template';
const SOURCES: readonly { value: Source; label: string }[] = [
  { value: 'content', label: 'Write it here' },
  { value: 'template', label: 'From a template' },
];

/** POST /v1/campaigns: a draft, from inline content or a stored template. */
export function CampaignNew() {
  return <CampaignForm />;
}

/** PATCH /v1/campaigns/{id}: the same form, filled in with the campaign as it is. */
export function CampaignEdit({ id }: { id: string }) {
  const api = useApi();
  const campaign = useLoad((signal) => api.campaigns.get(id, { signal }), `campaign:${id}`);
  if (campaign.data === undefined) {
    return (
      <section>
        <Title>Edit campaign</Title>
        <ErrorBox error={campaign.error} />
        {campaign.error === undefined && <p class="muted">Loading the campaign…</p>}
      </section>
    );
  }
  if (campaign.data.status !== 'draft' && campaign.data.status !== 'scheduled') {
    return (
      <section>
        <Title>Edit campaign</Title>
        <p class="error" role="alert">
          This campaign is {campaign.data.status}: only a draft or a scheduled campaign can be edited.{' '}
          <a href={`#/campaigns/${encodeURIComponent(id)}`}>Back to it</a>
        </p>
      </section>
    );
  }
  return <CampaignForm existing={campaign.data} />;
}

function CampaignForm({ existing }: { existing?: Campaign }) {
  const api = useApi();
  const [source, setSource] = useState<Source>('content');
  const templates = useLoad((signal) => api.templates.list({ limit: 100, signal }), 'templates');
  const save = useAction();
  const [written, setWritten] = useState({
    subject: existing?.content.subject ?? '',
    html: existing?.content.html ?? '',
    text: existing?.content.text ?? '',
  });
  const [templateName, setTemplateName] = useState<string | undefined>(undefined);
  const [sample, setSample] = useState('{"first_name": "Ann"}');
  const chosen = templateName ?? templates.data?.items[0]?.name;
  const template = useLoad(
    (signal): Promise<Template | undefined> =>
      chosen === undefined ? Promise.resolve(undefined) : api.templates.get(chosen, { signal }),
    `template:${chosen ?? ''}`,
  );
  // What the campaign will hold: the written parts (an empty one is left out, as the request
  // leaves it out) or the chosen template's.
  const content: TemplateContent | undefined =
    source === 'content'
      ? {
          subject: written.subject,
          ...(written.html.trim() === '' ? {} : { html: written.html }),
          ...(written.text.trim() === '' ? {} : { text: written.text }),
        }
      : template.data && template.data.name === chosen
        ? {
            subject: template.data.subject,
            ...(template.data.html === undefined ? {} : { html: template.data.html }),
            ...(template.data.text === undefined ? {} : { text: template.data.text }),
          }
        : undefined;
  const warnings = content === undefined ? [] : contentWarnings(content);

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
    // An edit sends only what the form changed (as typed, untrimmed): an unchanged sender is not
    // sent back (the API stores it encoded), unchanged content keeps a template's link and needs no
    // check of the rows, and an emptied part is `null` (which removes it).
    const changes = (campaign: Campaign): UpdateCampaignRequest => {
      const from = field('from');
      const parts: UpdateCampaignRequest = {};
      if (source === 'template') parts.template = field('template');
      else {
        if (written.subject !== campaign.content.subject) parts.subject = written.subject;
        for (const part of ['html', 'text'] as const) {
          const now = written[part].trim() === '' ? undefined : written[part];
          if (now !== campaign.content[part]) parts[part] = now ?? null;
        }
      }
      return {
        ...(request.name === campaign.name ? {} : { name: request.name }),
        ...(from === undefined || from === campaign.from ? {} : { from }),
        ...parts,
      };
    };
    void save.run(async () => {
      const saved =
        existing === undefined
          ? await api.campaigns.create(request)
          : await saveChanges(existing, changes(existing));
      flash(saved.warnings ?? []);
      go('campaigns', saved.id);
    });
  };

  // Nothing changed: nothing to send (the API refuses an empty edit).
  const saveChanges = async (campaign: Campaign, edit: UpdateCampaignRequest) =>
    Object.keys(edit).length === 0 ? campaign : api.campaigns.update(campaign.id, edit);

  return (
    <section>
      <Title>{existing === undefined ? 'New campaign' : `Edit ${existing.name}`}</Title>
      <form onSubmit={submit}>
        <div class="field">
          <label for="name">Name</label>
          <input id="name" name="name" required defaultValue={existing?.name} />
        </div>
        <div class="field">
          <label for="from">From (optional)</label>
          <input
            id="from"
            name="from"
            defaultValue={existing?.from}
            placeholder="Acme <news@mail.acme.com>; the default sender if empty"
          />
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
              <input
                id="subject"
                name="subject"
                required
                placeholder="News for {{first_name}}"
                value={written.subject}
                onInput={(e) => setWritten({ ...written, subject: e.currentTarget.value })}
              />
            </div>
            <div class="field">
              <label for="html">HTML</label>
              <textarea
                id="html"
                name="html"
                value={written.html}
                onInput={(e) => setWritten({ ...written, html: e.currentTarget.value })}
                aria-describedby={warnings.length > 0 ? 'unsubscribe-warning' : undefined}
                placeholder={'<p>Hi {{first_name}}</p>\n<p><a href="{{unsubscribe_url}}">Unsubscribe</a></p>'}
              />
            </div>
            <div class="field">
              <label for="text">Text</label>
              <textarea
                id="text"
                name="text"
                value={written.text}
                onInput={(e) => setWritten({ ...written, text: e.currentTarget.value })}
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
            <select
              id="template"
              name="template"
              required
              value={chosen}
              onChange={(e) => setTemplateName(e.currentTarget.value)}
            >
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
        {warnings.map((warning) => (
          <p class="warning" id="unsubscribe-warning" key={warning}>
            {warning}
          </p>
        ))}
        <h2>Preview</h2>
        <SampleData id="sample-data" value={sample} onChange={setSample} />
        <ErrorBox error={template.error} />
        {content && <Preview content={content} sample={sample} />}
        <div class="actions">
          <button type="submit" disabled={save.busy}>
            {existing === undefined ? 'Create draft' : 'Save changes'}
          </button>
          <a
            class="button secondary"
            href={existing === undefined ? '#/campaigns' : `#/campaigns/${encodeURIComponent(existing.id)}`}
          >
            Cancel
          </a>
        </div>
        <ErrorBox error={save.error} />
        <FailureList error={save.error} />
      </form>
    </section>
  );
}
