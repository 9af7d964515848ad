import type { Webhook, WebhookCreated, WebhookDeliveryAttempt } from '@mailroom/client';
import { useRef, useState } from 'preact/hooks';
import { PRODUCT_EVENT_TYPES } from '../../../lambdas/feedback/product-event-types';
import { count, when } from '../format';
import { go, useAction, useApi, useLoad } from '../hooks';
import { Badge, DataTable, ErrorBox, Title } from '../ui';

/** The deliveries are polled while the page is open: a test's attempt shows within a few seconds. */
const DELIVERIES_POLL_MS = 2000;

/** GET and POST /v1/webhooks: the list, and a form to add one. */
export function Webhooks() {
  const api = useApi();
  const list = useLoad((signal) => api.webhooks.list({ signal }), 'webhooks');
  const [created, setCreated] = useState<WebhookCreated | undefined>(undefined);
  return (
    <section>
      <Title>Webhooks</Title>
      <p class="muted">
        Mailroom POSTs product events (deliveries, bounces, complaints, unsubscribes, suppressions) to these
        HTTPS endpoints, signed per the Standard Webhooks spec.
      </p>
      {created && <CreatedSecret webhook={created} onDone={() => setCreated(undefined)} />}
      <ErrorBox error={list.error} />
      {list.data && list.data.length === 0 && <p>No webhooks yet.</p>}
      {list.data && list.data.length > 0 && (
        <DataTable id="webhook-list" columns={['URL', 'Status', 'Events', 'Last success', 'Created']}>
          {list.data.map((webhook) => (
            <tr key={webhook.id}>
              <td>
                <a href={`#/webhooks/${encodeURIComponent(webhook.id)}`}>{webhook.url}</a>
              </td>
              <td>
                <Badge value={webhook.status} />
              </td>
              <td>{webhook.events?.join(', ') ?? 'all'}</td>
              <td>{when(webhook.lastSuccessAt)}</td>
              <td>{when(webhook.createdAt)}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <h2>Add a webhook</h2>
      <CreateForm
        onCreated={(webhook) => {
          setCreated(webhook);
          list.reload();
        }}
      />
    </section>
  );
}

function CreateForm({ onCreated }: { onCreated: (webhook: WebhookCreated) => void }) {
  const api = useApi();
  const save = useAction();
  const [url, setUrl] = useState('');
  const [all, setAll] = useState(true);
  const [events, setEvents] = useState<Set<string>>(new Set());
  const submit = (event: Event) => {
    event.preventDefault();
    void save.run(async () => {
      const chosen = PRODUCT_EVENT_TYPES.filter((type) => events.has(type));
      if (!all && chosen.length === 0) throw new Error('Choose at least one event type, or all of them.');
      const webhook = await api.webhooks.create(
        all ? { url: url.trim() } : { url: url.trim(), events: chosen },
      );
      setUrl('');
      onCreated(webhook);
    });
  };
  return (
    <form onSubmit={submit}>
      <div class="field">
        <label for="webhook-url">Endpoint URL</label>
        <input
          id="webhook-url"
          type="url"
          required
          placeholder="https://api.example.com/hooks/mailroom"
          value={url}
          onInput={(e) => setUrl(e.currentTarget.value)}
        />
      </div>
      <fieldset class="field">
        <legend>Event types</legend>
        <label>
          <input
            type="checkbox"
            id="webhook-all-events"
            checked={all}
            onChange={(e) => setAll(e.currentTarget.checked)}
            style={{ width: 'auto' }}
          />{' '}
          All, including types added later
        </label>
        {!all &&
          PRODUCT_EVENT_TYPES.map((type) => (
            <label key={type}>
              <input
                type="checkbox"
                name="events"
                value={type}
                checked={events.has(type)}
                style={{ width: 'auto' }}
                onChange={(e) => {
                  const next = new Set(events);
                  if (e.currentTarget.checked) next.add(type);
                  else next.delete(type);
                  setEvents(next);
                }}
              />{' '}
              {type}
            </label>
          ))}
      </fieldset>
      <div class="actions">
        <button type="submit" disabled={save.busy}>
          Add webhook
        </button>
      </div>
      <ErrorBox error={save.error} />
    </form>
  );
}

/** The signing secret, which the API shows in its create answer only. */
function CreatedSecret({ webhook, onDone }: { webhook: WebhookCreated; onDone: () => void }) {
  const field = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<string | undefined>(undefined);
  const copy = () => {
    field.current?.select();
    // The Clipboard API may be refused (no permission, an insecure origin): the text stays selected.
    navigator.clipboard?.writeText(webhook.secret).then(
      () => setCopied('Copied.'),
      () => setCopied('Copying was refused: the secret is selected, press Ctrl+C (⌘C).'),
    ) ?? setCopied('The secret is selected: press Ctrl+C (⌘C).');
  };
  return (
    <div class="warning" id="webhook-secret" role="status">
      <p>
        <strong>Webhook added: {webhook.url}</strong>
      </p>
      <p>
        Its signing secret is <strong>shown only this once</strong>: store it now where the receiver can read
        it, to verify the <code>webhook-signature</code> header. Mailroom cannot show it again; to get a new
        one, delete the webhook and add it again.
      </p>
      <div class="inline">
        <div class="field">
          <label for="webhook-secret-value">Signing secret</label>
          <input id="webhook-secret-value" readOnly value={webhook.secret} ref={field} />
        </div>
        <button type="button" onClick={copy}>
          Copy
        </button>
        <button type="button" class="secondary" onClick={onDone}>
          I have stored it
        </button>
      </div>
      {copied && <p class="muted">{copied}</p>}
    </div>
  );
}

/** One webhook: GET /v1/webhooks/{id}, its deliveries, test, enable and delete. */
export function WebhookPage({ id }: { id: string }) {
  const api = useApi();
  const webhook = useLoad((signal) => api.webhooks.get(id, { signal }), `webhook:${id}`);
  const w = webhook.data;
  return (
    <section>
      <Title>Webhook</Title>
      <ErrorBox error={webhook.error} />
      {w === undefined ? (
        webhook.error === undefined && <p class="muted">Loading the webhook…</p>
      ) : (
        <>
          <p>
            <span id="webhook-status">
              <Badge value={w.status} />
            </span>{' '}
            <code>{w.url}</code>
          </p>
          <p class="muted">
            Events: {w.events?.join(', ') ?? 'all'}; created {when(w.createdAt)}; last success{' '}
            {when(w.lastSuccessAt)}
          </p>
          {w.status === 'disabled' && (
            <p class="warning">
              Disabled {when(w.disabledAt)}
              {w.disabledReason ? `: ${w.disabledReason}` : ''}. Nothing is sent to it until it is enabled
              again.
            </p>
          )}
          <WebhookActions webhook={w} reload={webhook.reload} />
          <Deliveries id={w.id} />
        </>
      )}
    </section>
  );
}

function WebhookActions({ webhook: w, reload }: { webhook: Webhook; reload: () => void }) {
  const api = useApi();
  const action = useAction();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [queued, setQueued] = useState<string | undefined>(undefined);
  return (
    <>
      <div class="actions">
        <button
          type="button"
          id="webhook-test"
          class="secondary"
          disabled={action.busy || w.status === 'disabled'}
          onClick={() =>
            action.run(async () => {
              const test = await api.webhooks.test(w.id);
              setQueued(`Test event queued (webhook-id ${test.messageId}): its attempt shows below.`);
            })
          }
        >
          Send a test event
        </button>
        {w.status === 'disabled' && (
          <button
            type="button"
            id="webhook-enable"
            disabled={action.busy}
            onClick={() =>
              action.run(async () => {
                await api.webhooks.enable(w.id);
                reload();
              })
            }
          >
            Enable again
          </button>
        )}
        {confirmDelete ? (
          <>
            <button
              type="button"
              class="danger"
              disabled={action.busy}
              onClick={() =>
                action.run(async () => {
                  await api.webhooks.delete(w.id);
                  go('webhooks');
                })
              }
            >
              Yes, delete the webhook
            </button>
            <button type="button" class="secondary" onClick={() => setConfirmDelete(false)}>
              Keep it
            </button>
          </>
        ) : (
          <button type="button" class="secondary" onClick={() => setConfirmDelete(true)}>
            Delete…
          </button>
        )}
      </div>
      {queued && (
        <p class="ok" id="webhook-test-result">
          {queued}
        </p>
      )}
      <ErrorBox error={action.error} />
    </>
  );
}

/** GET /v1/webhooks/{id}/deliveries: the newest attempts, polled while the page is open. */
function Deliveries({ id }: { id: string }) {
  const api = useApi();
  const deliveries = useLoad(
    (signal) => api.webhooks.deliveries(id, { limit: 50, signal }),
    `deliveries:${id}`,
    {
      everyMs: () => DELIVERIES_POLL_MS,
    },
  );
  const items = deliveries.data?.items;
  return (
    <>
      <h2>Recent deliveries</h2>
      <ErrorBox error={deliveries.error} />
      {items && items.length === 0 && <p>No deliveries yet.</p>}
      {items && items.length > 0 && (
        <DataTable
          id="webhook-deliveries"
          columns={['When', 'Event', 'Status', 'HTTP', 'Latency', 'Attempt', 'Detail']}
        >
          {items.map((attempt) => (
            <tr key={`${attempt.messageId}:${attempt.attempt}`}>
              <td>{when(attempt.attemptedAt)}</td>
              <td>{attempt.eventType}</td>
              <td>
                <Badge value={attempt.status} />
              </td>
              <td>{attempt.httpStatus ?? '–'}</td>
              <td>{attempt.latencyMs === undefined ? '–' : `${count(attempt.latencyMs)} ms`}</td>
              <td>{attempt.attempt}</td>
              <td>{detail(attempt)}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </>
  );
}

function detail(attempt: WebhookDeliveryAttempt): string {
  const parts = [
    attempt.error,
    attempt.response === undefined ? undefined : `answered: ${attempt.response}`,
    attempt.nextAttemptAt === undefined ? undefined : `next attempt ${when(attempt.nextAttemptAt)}`,
  ];
  return parts.filter((part) => part !== undefined && part !== '').join('; ') || '–';
}
