/**
 * (b) Transactional latency under bulk load: a campaign keeps the account's rate busy while OTP-like
 * mails arrive through the API; each one's time from the API's 202 to SES's acceptance. One Lambda
 * container hosting both streams and the fan-out, as `npm start` does.
 *
 *   node --import tsx bench/scenarios/latency.ts --rate 14 --seconds 30 --per-second 2.5
 */

import { campaignWithRecipients, loadApi, otpMail } from '../support/api';
import { addTallies, emptyTally, type Tally } from '../support/aws-calls';
import { startStack } from '../support/environment';
import { maxInAnySecond, preciseNow } from '../support/fake-ses';
import { sesSends, sesSummary, startContainer } from '../support/services';
import {
  percentile,
  round,
  runScenario,
  scenarioArgs,
  seededRandom,
  sleep,
  until,
  writeResult,
} from '../support/stats';

export interface LatencyResult {
  maxSendRate: number;
  steadySeconds: number;
  transactionalSubmitted: number;
  transactionalSent: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Bulk and transactional mails accepted per second together, while both ran, ÷ MaxSendRate. */
  combinedRatio: number;
  bulkPerSecond: number;
  throttles: { transactional: number; bulk: number };
  maxInAnySecond: number;
  api: Tally;
  sender: Tally;
}

async function main(): Promise<void> {
  const args = scenarioArgs();
  const rate = Number(args.rate ?? 14);
  const seconds = Number(args.seconds ?? 30);
  const perSecond = Number(args['per-second'] ?? 2.5);

  const stack = await startStack({ maxSendRate: rate, latencyMs: [50, 150] });
  const { local, ses } = stack;
  const apiTally = emptyTally();
  const api = await loadApi(local.runtime.apiUrl, apiTally);

  // Enough recipients to keep bulk mail at its full share past the end of the window.
  const id = await campaignWithRecipients(api, Math.ceil(rate * (seconds + 15)), { prefix: 'bulk' });
  const container = await startContainer(
    [
      { queue: 'transactional', maxConcurrency: 2 },
      { queue: 'bulk', maxConcurrency: 2 },
      { queue: 'fanout', maxConcurrency: 2 },
    ],
    local.env,
  );
  await api('POST', `/v1/campaigns/${id}/send`);
  // Let the campaign reach its full rate before the first OTP.
  await until(async () => ((await sesSummary(ses)).accepted ?? 0) >= rate * 3, 60_000);

  const accepted202 = new Map<string, number>();
  const random = seededRandom(6);
  const startedAt = preciseNow();
  const submissions: Promise<void>[] = [];
  let next = startedAt;
  for (let i = 0; next < startedAt + seconds * 1000; i++) {
    // Poisson arrivals: OTPs come when people sign in, not on a timer.
    next += (-Math.log(1 - random()) / perSecond) * 1000;
    await sleep(Math.max(0, next - preciseNow()));
    submissions.push(
      api('POST', '/v1/emails', otpMail(i)).then((response) => {
        accepted202.set(String(response.body.id), preciseNow());
      }),
    );
  }
  await Promise.all(submissions);
  const windowEnd = preciseNow();
  // Every OTP has been answered well within this, or it counts as lost below.
  await until(async () => {
    const sends = await sesSends(ses);
    return [...accepted202.keys()].every((m) => sends.some((s) => s.messageId === m && s.status === 200));
  }, 20_000);

  const sender = await container.stop();
  const sends = await sesSends(ses);
  await stack.stop();

  const latencies: number[] = [];
  for (const [messageId, at202] of accepted202) {
    const send = sends.find((s) => s.messageId === messageId && s.status === 200);
    if (send) latencies.push(send.answeredAt - at202);
  }
  const duringWindow = sends.filter((s) => s.arrivedAt >= startedAt && s.arrivedAt < windowEnd);
  const acceptedInWindow = duringWindow.filter((s) => s.status === 200);
  const windowSeconds = (windowEnd - startedAt) / 1000;
  const result: LatencyResult = {
    maxSendRate: rate,
    steadySeconds: round(windowSeconds, 1),
    transactionalSubmitted: accepted202.size,
    transactionalSent: latencies.length,
    p50Ms: Math.round(percentile(latencies, 50)),
    p99Ms: Math.round(percentile(latencies, 99)),
    maxMs: Math.round(Math.max(...latencies)),
    combinedRatio: round(acceptedInWindow.length / windowSeconds / rate),
    bulkPerSecond: round(acceptedInWindow.filter((s) => s.stream === 'bulk').length / windowSeconds, 2),
    throttles: {
      transactional: sends.filter((s) => s.stream === 'transactional' && s.status === 429).length,
      bulk: sends.filter((s) => s.stream === 'bulk' && s.status === 429).length,
    },
    maxInAnySecond: maxInAnySecond(sends.filter((s) => s.status === 200).map((s) => s.arrivedAt)),
    api: apiTally,
    sender: addTallies(sender),
  };
  writeResult(args.out, result);
}

runScenario(main);
