import { when } from '../format';
import { go, useApi, useLoad } from '../hooks';
import { Badge, DataTable, ErrorBox, Title } from '../ui';

/** GET /v1/emails/{id}: one message's status and history. */
export function EmailPage({ id }: { id: string | undefined }) {
  return (
    <section>
      <Title>Email</Title>
      <form
        class="inline"
        onSubmit={(event) => {
          event.preventDefault();
          const wanted = String(new FormData(event.currentTarget).get('id') ?? '').trim();
          if (wanted !== '') go('emails', wanted);
        }}
      >
        <div class="field">
          <label for="email-id">Message id</label>
          <input
            id="email-id"
            name="id"
            required
            value={id ?? ''}
            placeholder="the id POST /v1/emails answered"
          />
        </div>
        <button type="submit">Look up</button>
      </form>
      {id !== undefined && <EmailDetail key={id} id={id} />}
    </section>
  );
}

function EmailDetail({ id }: { id: string }) {
  const api = useApi();
  // Polled while it is on its way: the page shows it reach `sent` and SES's events arrive.
  const email = useLoad((signal) => api.emails.get(id, { signal }), `email:${id}`, {
    everyMs: (loaded) => (loaded.status === 'queued' || loaded.status === 'sending' ? 2000 : undefined),
  });
  const e = email.data;
  if (email.error !== undefined) return <ErrorBox error={email.error} />;
  if (e === undefined) return <p class="muted">Loading…</p>;
  return (
    <>
      <h2>
        <span id="email-status">
          <Badge value={e.status} />
        </span>{' '}
        {e.subject}
      </h2>
      <dl>
        <dt>Stream</dt>
        <dd>{e.stream}</dd>
        <dt>From</dt>
        <dd>{e.from}</dd>
        <dt>To</dt>
        <dd>{[...e.to, ...e.cc.map((a) => `${a} (cc)`), ...e.bcc.map((a) => `${a} (bcc)`)].join(', ')}</dd>
        {e.suppressed.length > 0 && (
          <>
            <dt>Suppressed at submit</dt>
            <dd>{e.suppressed.join(', ')}</dd>
          </>
        )}
        {e.template && (
          <>
            <dt>Template</dt>
            <dd>{e.template}</dd>
          </>
        )}
        <dt>SES message id</dt>
        <dd>{e.sesMessageId ?? '–'}</dd>
        {e.failure && (
          <>
            <dt>Failure</dt>
            <dd class="error">
              {e.failure.code}: {e.failure.message}
            </dd>
          </>
        )}
      </dl>
      <h2>History</h2>
      <DataTable id="email-history" columns={['When', 'Event', 'Detail']}>
        {e.events.map((event, i) => (
          // Events have no id of their own; the list only grows at its end, so a position is stable.
          <tr key={i}>
            <td>{when(event.at)}</td>
            <td>{event.type}</td>
            <td>{event.detail ?? ''}</td>
          </tr>
        ))}
      </DataTable>
    </>
  );
}
