import { MailroomApiError, type Suppression, type SuppressionReason } from '@mailroom/client';
import { useState } from 'preact/hooks';
import { SUPPRESSION_REASONS } from '../../../lambdas/feedback/suppression';
import { when } from '../format';
import { useAction, useApi, useLoad } from '../hooks';
import { Badge, DataTable, ErrorBox, Title } from '../ui';

/** The suppression list: find one address, list by reason, add and remove with a reason. */
export function Suppressions() {
  const api = useApi();
  const [reason, setReason] = useState<SuppressionReason | ''>('');
  const [version, setVersion] = useState(0);
  const list = useLoad(
    (signal) => api.suppressions.list({ limit: 100, signal, ...(reason === '' ? {} : { reason }) }),
    `suppressions:${reason}:${version}`,
  );
  const refresh = () => setVersion((n) => n + 1);
  const remove = useAction();

  return (
    <section>
      <Title>Suppressions</Title>
      <p class="muted">
        Addresses Mailroom no longer mails: hard bounces, complaints, unsubscribes and manual entries.
      </p>
      <Search />
      <AddSuppression onAdded={refresh} />
      <h2>List</h2>
      <div class="inline">
        <div class="field">
          <label for="reason-filter">Reason</label>
          <select
            id="reason-filter"
            value={reason}
            onChange={(event) => setReason(event.currentTarget.value as SuppressionReason | '')}
          >
            <option value="">any</option>
            {SUPPRESSION_REASONS.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </div>
      </div>
      <ErrorBox error={list.error} />
      <ErrorBox error={remove.error} />
      {list.data && list.data.items.length === 0 && <p>No suppressed addresses.</p>}
      {list.data && list.data.items.length > 0 && (
        <DataTable
          id="suppression-list"
          columns={['Email', 'Reason', 'Scope', 'Detail', 'Since', <span class="muted">Action</span>]}
        >
          {list.data.items.map((entry) => (
            <tr key={entry.email}>
              <td>{entry.email}</td>
              <td>
                <Badge value={entry.reason} />
              </td>
              <td>{entry.scope}</td>
              <td>{entry.detail ?? ''}</td>
              <td>{when(entry.createdAt)}</td>
              <td>
                <button
                  type="button"
                  class="secondary"
                  aria-label={`Remove ${entry.email}`}
                  disabled={remove.busy}
                  onClick={() =>
                    remove.run(async () => {
                      await api.suppressions.delete(entry.email);
                      refresh();
                    })
                  }
                >
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {list.data?.nextCursor !== undefined && (
        <p class="muted">Showing the first 100: search for an address, or filter by reason.</p>
      )}
    </section>
  );
}

/** GET /v1/suppressions/{email}: is this address suppressed, and why. */
function Search() {
  const api = useApi();
  const search = useAction();
  const [found, setFound] = useState<{ email: string; entry?: Suppression } | undefined>(undefined);
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        const email = String(new FormData(event.currentTarget).get('email') ?? '').trim();
        void search.run(async () => {
          try {
            setFound({ email, entry: await api.suppressions.get(email) });
          } catch (error) {
            if (error instanceof MailroomApiError && error.status === 404) setFound({ email });
            else throw error;
          }
        });
      }}
    >
      <h2>Search</h2>
      <div class="inline">
        <div class="field">
          <label for="search-email">Email</label>
          <input id="search-email" name="email" type="email" required placeholder="jane@example.org" />
        </div>
        <button type="submit" disabled={search.busy}>
          Search
        </button>
      </div>
      <ErrorBox error={search.error} />
      {found && (
        <p id="search-result" aria-live="polite">
          {found.entry ? (
            <>
              <strong>{found.entry.email}</strong> is suppressed: <Badge value={found.entry.reason} /> (scope{' '}
              {found.entry.scope}) since {when(found.entry.createdAt)}
              {found.entry.detail ? `: ${found.entry.detail}` : ''}
            </>
          ) : (
            <>
              <strong>{found.email}</strong> is not suppressed.
            </>
          )}
        </p>
      )}
    </form>
  );
}

/** PUT /v1/suppressions/{email}. */
function AddSuppression({ onAdded }: { onAdded: () => void }) {
  const api = useApi();
  const add = useAction();
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        const target = event.currentTarget;
        const form = new FormData(target);
        const email = String(form.get('email') ?? '').trim();
        const reason = String(form.get('reason') ?? 'manual') as SuppressionReason;
        const detail = String(form.get('detail') ?? '').trim();
        void add.run(async () => {
          await api.suppressions.put(email, { reason, ...(detail === '' ? {} : { detail }) });
          target.reset();
          onAdded();
        });
      }}
    >
      <h2>Add</h2>
      <div class="inline">
        <div class="field">
          <label for="add-email">Email</label>
          <input id="add-email" name="email" type="email" required />
        </div>
        <div class="field">
          <label for="add-reason">Reason</label>
          <select id="add-reason" name="reason">
            {SUPPRESSION_REASONS.map((r) => (
              <option key={r} value={r} selected={r === 'manual'}>
                {r}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="add-detail">Note</label>
          <input id="add-detail" name="detail" />
        </div>
        <button type="submit" disabled={add.busy}>
          Suppress
        </button>
      </div>
      <ErrorBox error={add.error} />
    </form>
  );
}
