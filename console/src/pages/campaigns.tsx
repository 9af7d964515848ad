import type { Campaign } from '@mailroom/client';
import { useState } from 'preact/hooks';
import { count, when } from '../format';
import { useApi, useLoad } from '../hooks';
import { Badge, DataTable, ErrorBox, Title } from '../ui';

/** GET /v1/campaigns, a page at a time. */
export function Campaigns() {
  const api = useApi();
  const [pages, setPages] = useState<Campaign[][]>([]);
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const first = useLoad(async (signal) => {
    const page = await api.campaigns.list({ limit: 50, signal });
    setPages([]);
    setCursor(page.nextCursor);
    return page.items;
  }, 'campaigns');
  const [more, setMore] = useState<{ busy: boolean; error?: unknown }>({ busy: false });
  const loadMore = async () => {
    if (cursor === undefined) return;
    setMore({ busy: true });
    try {
      const page = await api.campaigns.list({ limit: 50, cursor });
      setPages((previous) => [...previous, page.items]);
      setCursor(page.nextCursor);
      setMore({ busy: false });
    } catch (error) {
      setMore({ busy: false, error });
    }
  };
  const campaigns = [...(first.data ?? []), ...pages.flat()];
  return (
    <section>
      <Title>Campaigns</Title>
      <div class="actions">
        <a class="button" href="#/campaigns/new">
          New campaign
        </a>
      </div>
      <ErrorBox error={first.error} />
      {first.data === undefined ? (
        first.error === undefined && <p class="muted">Loading campaigns…</p>
      ) : campaigns.length === 0 ? (
        <p>No campaigns yet.</p>
      ) : (
        <DataTable columns={['Name', 'Status', 'Recipients', 'Sent', 'Created']}>
          {campaigns.map((campaign) => (
            <tr key={campaign.id}>
              <td>
                <a href={`#/campaigns/${encodeURIComponent(campaign.id)}`}>{campaign.name}</a>
              </td>
              <td>
                <Badge value={campaign.status} />
              </td>
              <td>{count(campaign.totals.recipients)}</td>
              <td>{count(campaign.totals.sent)}</td>
              <td>{when(campaign.createdAt)}</td>
            </tr>
          ))}
        </DataTable>
      )}
      {cursor !== undefined && (
        <div class="actions">
          <button type="button" class="secondary" disabled={more.busy} onClick={loadMore}>
            More
          </button>
        </div>
      )}
      <ErrorBox error={more.error} />
    </section>
  );
}
