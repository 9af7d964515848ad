import { MailroomApiError, type PutTemplateRequest, type Template } from '@mailroom/client';
import { useMemo, useState } from 'preact/hooks';
import { when } from '../format';
import { go, useAction, useApi, useLoad } from '../hooks';
import { Preview, SampleData, syntaxProblem } from '../preview';
import { DataTable, ErrorBox, Title } from '../ui';

type Part = 'subject' | 'html' | 'text';
const PARTS: readonly Part[] = ['subject', 'html', 'text'];

/** GET /v1/templates. */
export function Templates() {
  const api = useApi();
  const list = useLoad((signal) => api.templates.list({ limit: 100, signal }), 'templates');
  return (
    <section>
      <Title>Templates</Title>
      <div class="actions">
        <a class="button" href="#/templates/new">
          New template
        </a>
      </div>
      <ErrorBox error={list.error} />
      {list.data && list.data.items.length === 0 && <p>No templates yet.</p>}
      {list.data && list.data.items.length > 0 && (
        <DataTable columns={['Name', 'Subject', 'Updated']}>
          {list.data.items.map((template) => (
            <tr key={template.name}>
              <td>
                <a href={`#/templates/${encodeURIComponent(template.name)}`}>{template.name}</a>
              </td>
              <td>{template.subject}</td>
              <td>{when(template.updatedAt)}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}

/** GET and PUT /v1/templates/{name}; `name` undefined for a new one. */
export function TemplateEditor({ name }: { name: string | undefined }) {
  const api = useApi();
  const existing = useLoad(
    (signal): Promise<Template | undefined> =>
      name === undefined ? Promise.resolve(undefined) : api.templates.get(name, { signal }),
    `template:${name ?? ''}`,
  );
  if (name !== undefined && existing.data === undefined) {
    return (
      <section>
        <Title>Template {name}</Title>
        <ErrorBox error={existing.error} />
      </section>
    );
  }
  return <TemplateForm key={name ?? ''} template={existing.data} />;
}

function TemplateForm({ template }: { template: Template | undefined }) {
  const api = useApi();
  const save = useAction();
  const remove = useAction();
  const [values, setValues] = useState<Record<Part, string>>({
    subject: template?.subject ?? '',
    html: template?.html ?? '',
    text: template?.text ?? '',
  });
  const [name, setName] = useState(template?.name ?? '');
  const [saved, setSaved] = useState<string | undefined>(undefined);
  const [submitted, setSubmitted] = useState<Record<Part, string> | undefined>(undefined);
  const [sample, setSample] = useState('{"first_name": "Ann"}');
  const content = {
    subject: values.subject,
    ...(values.html.trim() === '' ? {} : { html: values.html }),
    ...(values.text.trim() === '' ? {} : { text: values.text }),
  };
  // Checked as it is typed, by the check the API runs when it is saved (checkTemplateSyntax); the
  // API's own answer is shown for the values it was given, should it refuse them for another reason.
  const live = useMemo(() => syntaxProblem(content), [values.subject, values.html, values.text]);
  const syntax = live ?? (submitted === values ? syntaxError(save.error) : undefined);

  const submit = (event: Event) => {
    event.preventDefault();
    const body: PutTemplateRequest = {
      subject: values.subject,
      ...(values.html.trim() === '' ? {} : { html: values.html }),
      ...(values.text.trim() === '' ? {} : { text: values.text }),
    };
    setSaved(undefined);
    setSubmitted(values);
    void save.run(async () => {
      const stored = await api.templates.put(name.trim(), body);
      setSaved(`Saved ${when(stored.updatedAt)}`);
      if (template === undefined) go('templates', stored.name);
    });
  };

  return (
    <section>
      <Title>{template ? `Template ${template.name}` : 'New template'}</Title>
      <form onSubmit={submit}>
        {template === undefined && (
          <div class="field">
            <label for="template-name">Name</label>
            <input id="template-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </div>
        )}
        {PARTS.map((part) => (
          <div class="field" key={part}>
            <label for={`template-${part}`}>
              {part === 'html' ? 'HTML' : part[0]?.toUpperCase() + part.slice(1)}
            </label>
            {part === 'subject' ? (
              <input
                id="template-subject"
                required
                value={values.subject}
                aria-invalid={syntax?.field === part}
                onInput={(e) => setValues({ ...values, subject: e.currentTarget.value })}
              />
            ) : (
              <textarea
                id={`template-${part}`}
                value={values[part]}
                aria-invalid={syntax?.field === part}
                aria-describedby={syntax?.field === part ? 'syntax-error' : undefined}
                onInput={(e) => setValues({ ...values, [part]: e.currentTarget.value })}
              />
            )}
            {syntax?.field === part && (
              <div id="syntax-error" class="error" role="alert">
                {syntax.line === undefined ? (
                  syntax.message
                ) : (
                  <>
                    Line {syntax.line}: {syntax.message}
                    <div class="code-line">{values[part].split(/\r\n|\r|\n/)[syntax.line - 1] ?? ''}</div>
                  </>
                )}
              </div>
            )}
          </div>
        ))}
        <div class="actions">
          <button type="submit" disabled={save.busy}>
            Save
          </button>
          {template && (
            <button
              type="button"
              class="danger"
              disabled={remove.busy}
              onClick={() =>
                remove.run(async () => {
                  await api.templates.delete(template.name);
                  go('templates');
                })
              }
            >
              Delete
            </button>
          )}
          {saved && <span class="ok">{saved}</span>}
        </div>
        {syntaxError(save.error) === undefined && <ErrorBox error={save.error} />}
        <h2>Preview</h2>
        <SampleData id="template-sample" value={sample} onChange={setSample} />
        {live === undefined && <Preview content={content} sample={sample} />}
        <ErrorBox error={remove.error} />
      </form>
    </section>
  );
}

/** The part and line of a `template_syntax_error` (its details are `{field, line?}`). */
function syntaxError(error: unknown): { field: string; line?: number; message: string } | undefined {
  if (!(error instanceof MailroomApiError) || error.code !== 'template_syntax_error') return undefined;
  const details = error.details as { field?: unknown; line?: unknown } | undefined;
  if (typeof details?.field !== 'string') return undefined;
  return {
    field: details.field,
    message: error.message,
    ...(typeof details.line === 'number' ? { line: details.line } : {}),
  };
}
