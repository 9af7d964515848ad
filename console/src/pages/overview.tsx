import { SES_REVIEW_RATES } from '../../../contract/alarms';
import { REPUTATION_GUARD_DEFAULTS } from '../../../contract/thresholds';
import { count, percent, perSecond, rateAsPercent, when } from '../format';
import { useAction, useApi, useLoad } from '../hooks';
import { Badge, Card, ErrorBox, Meter, Title } from '../ui';

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
            <p>
              <Badge value="sending" /> Bulk mail flows. Transactional mail is never paused.
            </p>
          ) : (
            a.pausedStreams.map((paused) => (
              <div class="warning" key={paused.stream}>
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
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Bulk rate (last 24 h)</th>
                  <th scope="col">Guard pauses bulk at</th>
                  <th scope="col">SES reviews the account at</th>
                </tr>
              </thead>
              <tbody>
                <tr>
                  <td>Bounces</td>
                  <td>{rateAsPercent(REPUTATION_GUARD_DEFAULTS.bounceRate)}</td>
                  <td>{rateAsPercent(SES_REVIEW_RATES.bounce)}</td>
                </tr>
                <tr>
                  <td>Complaints</td>
                  <td>{rateAsPercent(REPUTATION_GUARD_DEFAULTS.complaintRate)}</td>
                  <td>{rateAsPercent(SES_REVIEW_RATES.complaint)}</td>
                </tr>
              </tbody>
            </table>
          </div>
          <p class="muted">
            The guard's thresholds shown are Mailroom's defaults (a deploy config may lower them). The
            account's current bulk rates are not part of <code>GET /v1/account</code> yet: each campaign's
            page shows its own.
          </p>
        </>
      )}
    </section>
  );
}
