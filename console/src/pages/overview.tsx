import type { Account } from '@mailroom/client';
import { count, percent, perSecond, rateAsPercent, when } from '../format';
import { useAction, useApi, useLoad } from '../hooks';
import { Badge, Card, DataTable, ErrorBox, Meter, Title } from '../ui';

/** GET /v1/account: what the account may send, what Mailroom paces to, and whether bulk is held back. */
export function Overview() {
  const api = useApi();
  const account = useLoad((signal) => api.account.get({ signal }), 'account', { everyMs: () => 5000 });
  const resume = useAction();
  const a = account.data;
  return (
    <section>
      <Title>Overview</Title>
      <ErrorBox error={account.error} />
      {a === undefined ? (
        account.error === undefined && <p class="muted">Loading the account…</p>
      ) : (
        <>
          <div class="cards">
            <Card
              label="SES account"
              value={<Badge value={a.sandbox ? 'sandbox' : 'production'} />}
              note={`sending ${a.sendingEnabled ? 'enabled' : 'disabled'}; enforcement ${a.enforcementStatus ?? 'not reported'}`}
            />
            <Card label="MaxSendRate" value={perSecond(a.maxSendRate)} note="what SES allows this account" />
            <Card
              label="Rate in use"
              value={perSecond(a.rateInUse)}
              note={
                a.rateOverride === null
                  ? `this stack's share: ${rateAsPercent(a.sendRateShare)} of MaxSendRate`
                  : `configured ceiling ${perSecond(a.rateOverride)}`
              }
            />
            <Card
              label="24-hour quota used"
              value={`${count(a.sentLast24Hours)} / ${count(a.max24HourSend)}`}
              note={
                <>
                  <Meter
                    share={a.max24HourSend ? a.sentLast24Hours / a.max24HourSend : 0}
                    label="quota used"
                  />
                  {percent(a.sentLast24Hours, a.max24HourSend)}; bulk mail stops at 98%
                </>
              }
            />
          </div>

          <h2>Reputation guard</h2>
          {a.pausedStreams.length === 0 ? (
            <p id="guard-state">
              <Badge value="sending" /> Bulk mail flows. Transactional mail is never paused.
            </p>
          ) : (
            a.pausedStreams.map((paused) => (
              <div class="warning" id="guard-state" key={paused.stream}>
                <p>
                  <strong>The {paused.stream} stream is paused</strong> since {when(paused.since)}:{' '}
                  {paused.reason}
                </p>
                <div class="actions">
                  <button
                    type="button"
                    disabled={resume.busy}
                    onClick={() =>
                      resume.run(async () => {
                        await api.account.resumeBulk();
                        account.reload();
                      })
                    }
                  >
                    Resume bulk mail
                  </button>
                </div>
              </div>
            ))
          )}
          <ErrorBox error={resume.error} />
          <BulkRates reputation={a.bulkReputation} />
        </>
      )}
    </section>
  );
}

/** Where a rate stands: under the guard's threshold, at or over it, or at SES's review rate. */
function standing(rate: number | null, guard: number, ses: number): { label: string; tone: string } {
  if (rate === null) return { label: 'no bulk mail yet', tone: 'muted' };
  if (rate >= ses) return { label: 'at SES review rate', tone: 'bad' };
  if (rate >= guard) return { label: 'over the guard threshold', tone: 'bad' };
  if (rate >= guard / 2) return { label: 'rising: over half the threshold', tone: 'warn' };
  return { label: 'healthy', tone: 'good' };
}

/** The rates the reputation guard judges (GET /v1/account's bulkReputation), against its thresholds and SES's. */
function BulkRates({ reputation: r }: { reputation: Account['bulkReputation'] }) {
  const rows = [
    {
      name: 'Bounces',
      count: r.bounced,
      rate: r.bounceRate,
      guard: r.guardThresholds.bounceRate,
      ses: r.sesReviewRates.bounceRate,
    },
    {
      name: 'Complaints',
      count: r.complained,
      rate: r.complaintRate,
      guard: r.guardThresholds.complaintRate,
      ses: r.sesReviewRates.complaintRate,
    },
  ];
  return (
    <>
      <DataTable
        id="bulk-rates"
        caption={`Bulk mail of the last ${r.windowHours} h: ${count(r.sent)} sent`}
        columns={['', 'Count', 'Rate', 'Guard pauses bulk at', 'SES reviews the account at', 'Standing']}
      >
        {rows.map((row) => {
          const where = standing(row.rate, row.guard, row.ses);
          return (
            <tr key={row.name}>
              <th scope="row">{row.name}</th>
              <td>{count(row.count)}</td>
              <td>{row.rate === null ? '–' : rateAsPercent(row.rate)}</td>
              <td>{rateAsPercent(row.guard)}</td>
              <td>{rateAsPercent(row.ses)}</td>
              <td class={where.tone}>{where.label}</td>
            </tr>
          );
        })}
      </DataTable>
      <p class="muted" id="guard-sample">
        {r.judged
          ? `The guard judges these rates: ${count(r.sent)} bulk mails reach its minimum sample of ${count(r.minimumSample)}.`
          : `The guard judges the rates from ${count(r.minimumSample)} bulk mails in the window on (${count(r.sent)} so far).`}{' '}
        These are Mailroom's own counts of this stack's bulk mail; SES's account-wide rates are on the
        CloudWatch dashboard.
      </p>
    </>
  );
}
