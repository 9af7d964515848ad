/**
 * (a) Rate adherence: the real sender, in one or more Lambda containers, drains a full queue against
 * the strict fake SES at MaxSendRate = --rate. Measures the steady state only: from --warmup seconds
 * after the first accepted mail, for --seconds.
 *
 *   node --import tsx bench/scenarios/rate.ts --rate 14 --seconds 12 --containers 2 --pollers 1
 */

import { campaignWithRecipients, inParallel, loadApi, otpMail } from '../support/api';
import { addTallies, emptyTally, type Tally } from '../support/aws-calls';
import { startStack } from '../support/environment';
import { maxInAnySecond, type SendRecord } from '../support/fake-ses';
import { type Container, sesSends, sesSummary, startContainer } from '../support/services';
import { median, round, runScenario, scenarioArgs, sleep, until, writeResult } from '../support/stats';

export interface RateResult {
  label: string;
  stream: 'transactional' | 'bulk';
  maxSendRate: number;
  /** Lambda containers (processes), and SQS pollers per container. */
  containers: number;
  pollers: number;
  steadySeconds: number;
  queued: number;
  acceptedInWindow: number;
  achievedPerSecond: number;
  /** achieved ÷ MaxSendRate. */
  ratio: number;
  throttlesInWindow: number;
  throttlesTotal: number;
  maxInAnySecond: number;
  /** The queue ran out before the window ended: the figures cover less than --seconds. */
  ranDry: boolean;
  mailsSent: number;
  /** Median round trip of a POST /v1/emails made alone (no concurrency): the API Lambda's duration. */
  apiMsPerCall: number | null;
  /** AWS calls by the API (queueing the mails) and by the sender containers (sending them). */
  api: Tally;
  sender: Tally;
}

async function main(): Promise<void> {
  const args = scenarioArgs();
  const rate = Number(args.rate ?? 14);
  const seconds = Number(args.seconds ?? 12);
  const warmup = Number(args.warmup ?? 2);
  const containers = Number(args.containers ?? 1);
  const pollers = Number(args.pollers ?? 2);
  const stream = (args.stream ?? 'transactional') as 'transactional' | 'bulk';
  const label = args.label ?? `${stream} ${rate}/s`;

  const stack = await startStack({ maxSendRate: rate, latencyMs: [50, 150] });
  const { local, ses } = stack;
  const env = local.env;
  const apiTally = emptyTally();
  const api = await loadApi(local.runtime.apiUrl, apiTally);

  // Enough queued that the queue never runs dry inside the window, even a little above the rate.
  // (--queue caps it where the machine cannot come near the rate: queueing costs time too.)
  const needed = Number(args.queue ?? Math.ceil(rate * (warmup + seconds + 2) * 1.15));
  let queued = 0;
  const apiMs: number[] = [];
  if (stream === 'transactional') {
    await inParallel(needed, 32, async (i) => {
      const response = await api('POST', '/v1/emails', otpMail(i));
      if (response.status !== 202) throw new Error(`POST /v1/emails: ${JSON.stringify(response)}`);
      queued++;
    });
    // The preload ran 32 at once; the API's own duration is measured on requests made one by one.
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      await api('POST', '/v1/emails', otpMail(needed + i));
      apiMs.push(performance.now() - started);
      queued++;
    }
  } else {
    const id = await campaignWithRecipients(api, needed);
    queued = needed;
    const sent = await api('POST', `/v1/campaigns/${id}/send`);
    if (sent.status !== 202) throw new Error(`send: ${JSON.stringify(sent)}`);
  }

  const running: Container[] = [];
  for (let c = 0; c < containers; c++) {
    running.push(await startContainer([{ queue: stream, maxConcurrency: pollers }], env));
  }
  // The fan-out in a container of its own, so its calls are not counted as the sender's (the
  // fan-out scenario measures them).
  const fanout =
    stream === 'bulk' ? await startContainer([{ queue: 'fanout', maxConcurrency: 1 }], env) : undefined;

  let firstAcceptedAt = 0;
  const started = await until(async () => {
    firstAcceptedAt = (await sesSummary(ses)).firstAcceptedAt ?? 0;
    return firstAcceptedAt > 0;
  }, 60_000);
  if (!started) throw new Error('no mail accepted within 60 s');
  const windowStart = firstAcceptedAt + warmup * 1000;
  const windowEnd = windowStart + seconds * 1000;
  await sleep(Math.max(0, windowEnd + 300 - Date.now()));

  const senderTally = addTallies(...(await Promise.all(running.map((c) => c.stop()))));
  await fanout?.stop();
  const sends = (await sesSends(ses)).filter((s) => s.stream === stream);
  await stack.stop();

  writeResult(args.out, summarize());

  function summarize(): RateResult {
    const inWindow = (s: SendRecord) => s.arrivedAt >= windowStart && s.arrivedAt < windowEnd;
    const accepted = sends.filter((s) => s.status === 200);
    const acceptedInWindow = accepted.filter(inWindow).length;
    const achieved = acceptedInWindow / seconds;
    const lastAccepted = accepted.at(-1)?.arrivedAt ?? 0;
    return {
      label,
      stream,
      maxSendRate: rate,
      containers,
      pollers,
      steadySeconds: seconds,
      queued,
      acceptedInWindow,
      achievedPerSecond: round(achieved, 2),
      ratio: round(achieved / rate),
      throttlesInWindow: sends.filter((s) => s.status === 429 && inWindow(s)).length,
      throttlesTotal: sends.filter((s) => s.status === 429).length,
      maxInAnySecond: maxInAnySecond(accepted.map((s) => s.arrivedAt)),
      ranDry: lastAccepted < windowEnd - 1000,
      mailsSent: accepted.length,
      apiMsPerCall: apiMs.length > 0 ? round(median(apiMs), 1) : null,
      api: apiTally,
      sender: senderTally,
    };
  }
}

runScenario(main);
