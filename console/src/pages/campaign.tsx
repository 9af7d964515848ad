import type { CampaignWithProgress } from '@mailroom/client';
import { useMemo, useRef, useState } from 'preact/hooks';
import { SES_REVIEW_RATES } from '../../../contract/alarms';
import { contentWarnings } from '../../../lambdas/campaigns/unsubscribe-link';
import { takeFlash } from '../flash';
import { count, duration, percent, perSecond, rateAsPercent, when } from '../format';
import { useAction, useApi, useLoad } from '../hooks';
import { Preview, parseSample, SampleData } from '../preview';
import { Badge, Card, ErrorBox, Title } from '../ui';
import { RecipientsUpload } from './recipients-upload';
import { type Sample, SentChart } from './sent-chart';

/** Statuses in which the numbers still move: the page polls every second while the campaign is in one. */
const LIVE = new Set(['scheduled', 'sending', 'paused']);
const POLL_MS = 1000;
/** A completed campaign's SES events (deliveries, bounces, opens) keep coming: polled less often. */
const SETTLED_POLL_MS = 5000;

/** One campaign: its numbers (polled while it runs), uploads, test send, send and the controls. */
export function CampaignPage({ id }: { id: string }) {
  const api = useApi();
  const flashed = useMemo(() => takeFlash(), []);
  const samples = useRef<Sample[]>([]);
  // One recipient's data for the preview and the test send: the preview shows what the test sends.
  const [sample, setSample] = useState('');
  const campaign = useLoad(
    async (signal) => {
      const loaded = await api.campaigns.get(id, { signal });
      samples.current = [...samples.current, { at: Date.now(), sent: loaded.totals.sent }].slice(-600);
      return loaded;
    },
    `campaign:${id}`,
    {
      everyMs: (loaded) =>
        LIVE.has(loaded.status) ? POLL_MS : loaded.status === 'completed' ? SETTLED_POLL_MS : undefined,
    },
  );
  const c = campaign.data;
  // The create answer's warnings, and what the content still lacks (the same rule: no duplicates).
  const warnings = [...new Set([...flashed, ...(c ? contentWarnings(c.content) : [])])];
  return (
    <section>
      <Title>{c ? c.name : 'Campaign'}</Title>
      {warnings.map((warning) => (
        <p class="warning" key={warning}>
          {warning}
        </p>
      ))}
      <ErrorBox error={campaign.error} />
      {c === undefined ? (
        campaign.error === undefined && <p class="muted">Loading the campaign…</p>
      ) : (
        <>
          <p>
            <span id="campaign-status">
              <Badge value={c.status} />
            </span>{' '}
            {c.pausedBy === 'reputation-guard' && c.status === 'paused' && (
              <span class="warning">Paused by the reputation guard: see the overview.</span>
            )}
            {c.waitingForQuota && <span class="warning">Waiting for the 24-hour quota.</span>}
            <span class="muted">
              {' '}
              from {c.from}; created {when(c.createdAt)}
              {c.template ? `; from template ${c.template}` : ''}
            </span>
          </p>
          <Progress campaign={c} />
          {samples.current.length > 1 && <SentChart samples={samples.current} total={c.totals.recipients} />}
          <Controls campaign={c} reload={campaign.reload} />
          {(c.status === 'draft' || c.status === 'scheduled') && (
            <>
              <h2>Recipients</h2>
              <RecipientsUpload
                campaignId={c.id}
                onUploaded={campaign.reload}
                // The file's first row previews the mail, unless sample data is already given.
                onFirstRow={(data) =>
                  setSample((given) => (given.trim() === '' ? JSON.stringify(data) : given))
                }
              />
            </>
          )}
          <TestSend campaign={c} sample={sample} onSample={setSample} />
          <h2>Preview</h2>
          {sample.trim() === '' ? (
            <p class="muted">Give sample data above (the test send's) to preview the mail with it.</p>
          ) : (
            <>
              <p class="muted">Rendered with the sample data above (the test send's).</p>
              <Preview content={c.content} sample={sample} />
            </>
          )}
          <h2>Content</h2>
          <p>
            <strong>Subject:</strong> {c.content.subject}
          </p>
          {c.content.html !== undefined && (
            <details>
              <summary>HTML</summary>
              <pre>{c.content.html}</pre>
            </details>
          )}
          {c.content.text !== undefined && (
            <details>
              <summary>Text</summary>
              <pre>{c.content.text}</pre>
            </details>
          )}
        </>
      )}
    </section>
  );
}

function Progress({ campaign: c }: { campaign: CampaignWithProgress }) {
  const { totals } = c;
  const events = c.events;
  const settled = totals.sent + totals.failed + totals.suppressed + totals.cancelled;
  return (
    <>
      <progress
        id="campaign-progress"
        max={1}
        value={c.progress}
        aria-label={`${percent(settled, totals.recipients)} settled`}
      />
      <div class="cards" id="campaign-numbers">
        <Card
          label="Sent"
          value={<span id="sent-count">{`${count(totals.sent)} / ${count(totals.recipients)}`}</span>}
          note={`${percent(settled, totals.recipients)} settled`}
        />
        <Card label="Rate" value={perSecond(c.currentRate)} note={`ETA ${duration(c.etaSeconds)}`} />
        <Card label="Queued" value={count(totals.queued)} />
        <Card label="Failed" value={count(totals.failed)} />
        <Card label="Suppressed" value={count(totals.suppressed)} note="left out: on the suppression list" />
        <Card label="Cancelled" value={count(totals.cancelled)} />
        {events && (
          <>
            <Card
              label="Delivered"
              value={count(events.delivered)}
              note={percent(events.delivered, totals.sent)}
            />
            <Card
              label="Bounced"
              value={count(events.bounced)}
              note={`${percent(events.bounced, totals.sent)} (SES reviews at ${rateAsPercent(SES_REVIEW_RATES.bounce)})`}
            />
            <Card
              label="Complained"
              value={count(events.complained)}
              note={`${percent(events.complained, totals.sent)} (SES reviews at ${rateAsPercent(SES_REVIEW_RATES.complaint)})`}
            />
            <Card
              label="Opens"
              value={count(events.opens)}
              note={`${count(events.uniqueOpens)} unique, ${percent(events.uniqueOpens, events.delivered)} of delivered`}
            />
            <Card
              label="Clicks"
              value={count(events.clicks)}
              note={`${count(events.uniqueClicks)} unique, ${percent(events.uniqueClicks, events.delivered)} of delivered`}
            />
            <Card label="Unsubscribed" value={count(events.unsubscribed)} />
          </>
        )}
      </div>
    </>
  );
}

/** Send, schedule, pause, resume and cancel, each offered only where the status allows it. */
function Controls({ campaign: c, reload }: { campaign: CampaignWithProgress; reload: () => void }) {
  const api = useApi();
  const action = useAction();
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [at, setAt] = useState('');
  const act = (call: () => Promise<unknown>) =>
    action.run(async () => {
      await call();
      setConfirmCancel(false);
      reload();
    });
  const draftOrScheduled = c.status === 'draft' || c.status === 'scheduled';
  const open = c.status !== 'completed' && c.status !== 'cancelled';
  return (
    <>
      <div class="actions">
        {draftOrScheduled && (
          <button
            type="button"
            id="send-now"
            disabled={action.busy || c.totals.recipients === 0}
            onClick={() => act(() => api.campaigns.send(c.id))}
          >
            Send now
          </button>
        )}
        {draftOrScheduled && (
          <a class="button secondary" id="edit" href={`#/campaigns/${encodeURIComponent(c.id)}/edit`}>
            Edit
          </a>
        )}
        {(c.status === 'sending' || c.status === 'scheduled') && (
          <button
            type="button"
            id="pause"
            class="secondary"
            disabled={action.busy}
            onClick={() => act(() => api.campaigns.pause(c.id))}
          >
            Pause
          </button>
        )}
        {c.status === 'paused' && (
          <button
            type="button"
            id="resume"
            disabled={action.busy}
            onClick={() => act(() => api.campaigns.resume(c.id))}
          >
            Resume
          </button>
        )}
        {open &&
          (confirmCancel ? (
            <>
              <button
                type="button"
                id="confirm-cancel"
                class="danger"
                disabled={action.busy}
                onClick={() => act(() => api.campaigns.cancel(c.id))}
              >
                Yes, cancel the campaign
              </button>
              <button type="button" class="secondary" onClick={() => setConfirmCancel(false)}>
                Keep it
              </button>
            </>
          ) : (
            <button type="button" id="cancel" class="secondary" onClick={() => setConfirmCancel(true)}>
              Cancel campaign…
            </button>
          ))}
      </div>
      {draftOrScheduled && (
        <form
          class="inline"
          onSubmit={(event) => {
            event.preventDefault();
            void act(() => api.campaigns.send(c.id, { at: new Date(at).toISOString() }));
          }}
        >
          <div class="field">
            <label for="send-at">Or send at</label>
            <input
              id="send-at"
              type="datetime-local"
              required
              value={at}
              onInput={(e) => setAt(e.currentTarget.value)}
            />
          </div>
          <button type="submit" class="secondary" disabled={action.busy || c.totals.recipients === 0}>
            Schedule
          </button>
          {c.scheduledAt && <span class="muted">scheduled for {when(c.scheduledAt)}</span>}
        </form>
      )}
      <ErrorBox error={action.error} />
    </>
  );
}

/** POST /v1/campaigns/{id}/test: the rendered campaign to a few addresses, now. */
function TestSend({
  campaign: c,
  sample,
  onSample,
}: {
  campaign: CampaignWithProgress;
  sample: string;
  onSample: (sample: string) => void;
}) {
  const api = useApi();
  const action = useAction();
  const [sent, setSent] = useState<{ ids: string[]; suppressed: string[] } | undefined>(undefined);
  const submit = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const to = String(form.get('to') ?? '')
      .split(/[,\s]+/)
      .filter((address) => address !== '');
    void action.run(async () => {
      const parsed = parseSample(sample);
      if ('problem' in parsed) throw new Error(parsed.problem);
      const data = sample.trim() === '' ? undefined : parsed.data;
      setSent(await api.campaigns.test(c.id, data === undefined ? { to } : { to, data }));
    });
  };
  return (
    <>
      <h2>Test send</h2>
      <form onSubmit={submit}>
        <div class="field">
          <label for="test-to">To (up to 5 addresses)</label>
          <input id="test-to" name="to" required placeholder="me@example.org" />
        </div>
        <SampleData id="test-data" value={sample} onChange={onSample} />
        <div class="actions">
          <button type="submit" class="secondary" disabled={action.busy}>
            Send a test
          </button>
        </div>
      </form>
      <ErrorBox error={action.error} />
      {sent && (
        <p id="test-result" class="ok">
          Test sent:{' '}
          {sent.ids.map((id) => (
            <a key={id} href={`#/emails/${encodeURIComponent(id)}`}>
              {id}{' '}
            </a>
          ))}
          {sent.suppressed.length > 0 && <span class="muted">suppressed: {sent.suppressed.join(', ')}</span>}
        </p>
      )}
    </>
  );
}
