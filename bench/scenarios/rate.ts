/**
 * (a) Rate adherence: the real sender, in one or more Lambda containers, drains a full queue against
 * the strict fake SES at MaxSendRate = --rate. Measures the steady state only: from --warmup seconds
 * after the first accepted mail, for --seconds. The fake SES answers each send after a latency drawn
 * uniformly from --latency (ms, `min,max`; 50,150 is 100 ms ± 50 %).
 *
 * With --campaign N it measures a whole campaign instead: N recipients are added, the sender and
 * fan-out containers started, and the figure is from the `POST /v1/campaigns/{id}/send` call to SES
 * accepting the last of the N mails (end to end: fan-out, queues, every throttle and retry).
 *
 *   node --import tsx bench/scenarios/rate.ts --rate 14 --seconds 12 --containers 2 --pollers 1
 *   node --import tsx bench/scenarios/rate.ts --rate 100 --containers 4 --pollers 1 --campaign 3000
 */
import { loadavg } from 'node:os';

import { campaignWithRecipients, inParallel, loadApi, otpMail } from '../support/api';
import { addTallies, emptyTally, type Tally } from '../support/aws-calls';
import { startStack } from '../support/environment';
import { maxInAnySecond, preciseNow, type SendRecord } from '../support/fake-ses';
import { type Container, loopDelay, sesSends, sesSummary, startContainer } from '../support/services';
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
  /** Every SendEmail call of the run, accepted or not. */
  sendAttempts: number;
  /** throttlesTotal ÷ sendAttempts: the share of sends SES refused, over the whole run. */
  throttledShare: number;
  /** The fake SES's answer latency, ms [min, max]. */
  latencyMs: [number, number];
  /**
   * Where the slots of the window went: the slots the window held (seconds × MaxSendRate) minus
   * those used, split into time nothing arrived for longer than 3 slots (the queue, the poller or a
   * batch kept the sender from booking) and the rest (spacing above the nominal one: the 1 %
   * headroom, late sends, throttle holds).
   */
  slotsUnused: { inGaps: number; elsewhere: number; longestGapMs: number };
  /** The fake SES's event-loop delay over the run (ms): how far its arrival stamps may trail. */
  sesLoopDelayMs: { p50: number; p99: number; max: number };
  /** os.loadavg() (1, 5, 15 min) when the window started and when it ended: a busy machine shows here. */
  loadAverage: { atStart: number[]; atEnd: number[] };
  /** --campaign only: from the send call to SES accepting the last mail. */
  endToEnd?: {
    recipients: number;
    seconds: number;
    /** recipients ÷ seconds ÷ MaxSendRate. */
    ratio: number;
    /** From the send call to the first accepted mail. */
    firstMailSeconds: number;
    /** Mails accepted (each recipient once: a duplicate would show here). */
    accepted: number;
  };
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
  const campaign = args.campaign === undefined ? undefined : Number(args.campaign);
  const stream = (campaign === undefined ? (args.stream ?? 'transactional') : 'bulk') as
    | 'transactional'
    | 'bulk';
  const label = args.label ?? `${stream} ${rate}/s`;
  const latencyMs = (args.latency ?? '50,150').split(',').map(Number) as [number, number];

  const stack = await startStack({ maxSendRate: rate, latencyMs });
  const { local, ses } = stack;
  const env = local.env;
  const apiTally = emptyTally();
  const api = await loadApi(local.runtime.apiUrl, apiTally);

  // Enough queued that the queue never runs dry inside the window, even a little above the rate.
  // (--queue caps it where the machine cannot come near the rate: queueing costs time too.)
  const needed = campaign ?? Number(args.queue ?? Math.ceil(rate * (warmup + seconds + 2) * 1.15));
  let queued = 0;
  const apiMs: number[] = [];
  let campaignId: string | undefined;
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
    campaignId = await campaignWithRecipients(api, needed);
    queued = needed;
  }
  const sendCampaign = async (id: string) => {
    const sent = await api('POST', `/v1/campaigns/${id}/send`);
    if (sent.status !== 202) throw new Error(`send: ${JSON.stringify(sent)}`);
  };
  // Steady state: the campaign may wait on its queue while the containers start. End to end: the
  // containers are up (warm, as a running stack's are) before the send call starts the clock.
  if (campaignId && campaign === undefined) await sendCampaign(campaignId);

  const running: Container[] = [];
  for (let c = 0; c < containers; c++) {
    running.push(await startContainer([{ queue: stream, maxConcurrency: pollers }], env));
  }
  // The fan-out in a container of its own, so its calls are not counted as the sender's (the
  // fan-out scenario measures them).
  const fanout =
    stream === 'bulk' ? await startContainer([{ queue: 'fanout', maxConcurrency: 1 }], env) : undefined;
  let sendCalledAt = 0;
  if (campaignId && campaign !== undefined) {
    sendCalledAt = preciseNow();
    await sendCampaign(campaignId);
  }

  let firstAcceptedAt = 0;
  const started = await until(async () => {
    firstAcceptedAt = (await sesSummary(ses)).firstAcceptedAt ?? 0;
    return firstAcceptedAt > 0;
  }, 60_000);
  if (!started) throw new Error('no mail accepted within 60 s');
  const windowStart = firstAcceptedAt + warmup * 1000;
  const windowEnd = windowStart + seconds * 1000;
  await sleep(Math.max(0, windowStart - Date.now()));
  const loadAtStart = loadavg();
  await sleep(Math.max(0, windowEnd + 300 - Date.now()));
  const loadAtEnd = loadavg();
  if (campaign !== undefined) {
    // Every mail accepted, or the run says how many were not (throttled ones come back delayed).
    const allSent = await until(
      async () => (await sesSummary(ses)).accepted >= campaign,
      Math.max(120_000, (campaign / rate) * 4000),
      100,
    );
    if (!allSent) console.error(`only ${(await sesSummary(ses)).accepted} of ${campaign} accepted`);
  }

  const senderTally = addTallies(...(await Promise.all(running.map((c) => c.stop()))));
  await fanout?.stop();
  const sends = (await sesSends(ses)).filter((s) => s.stream === stream);
  const sesLoopDelay = await loopDelay(ses);
  await stack.stop();

  // --dump FILE: every send as the fake SES saw it, to look into throttles and gaps afterwards.
  if (args.dump) writeResult(args.dump, { windowStart, windowEnd, sendCalledAt, sends });
  writeResult(args.out, summarize());

  function summarize(): RateResult {
    const inWindow = (s: SendRecord) => s.arrivedAt >= windowStart && s.arrivedAt < windowEnd;
    const accepted = sends.filter((s) => s.status === 200);
    const acceptedInWindow = accepted.filter(inWindow).length;
    const achieved = acceptedInWindow / seconds;
    const lastAccepted = accepted.at(-1)?.arrivedAt ?? 0;
    const throttles = sends.filter((s) => s.status === 429).length;
    const endToEnd =
      campaign === undefined
        ? undefined
        : (() => {
            const elapsed = (lastAccepted - sendCalledAt) / 1000;
            return {
              recipients: campaign,
              seconds: round(elapsed, 2),
              ratio: round(campaign / elapsed / rate),
              firstMailSeconds: round((firstAcceptedAt - sendCalledAt) / 1000, 2),
              accepted: accepted.length,
            };
          })();
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
      throttlesTotal: throttles,
      sendAttempts: sends.length,
      throttledShare: round(sends.length > 0 ? throttles / sends.length : 0, 4),
      latencyMs,
      sesLoopDelayMs: {
        p50: round(sesLoopDelay.p50, 1),
        p99: round(sesLoopDelay.p99, 1),
        max: round(sesLoopDelay.max, 1),
      },
      slotsUnused: unusedSlots(
        accepted.map((s) => s.arrivedAt),
        windowStart,
        windowEnd,
        rate,
      ),
      loadAverage: { atStart: loadAtStart.map((l) => round(l, 2)), atEnd: loadAtEnd.map((l) => round(l, 2)) },
      maxInAnySecond: maxInAnySecond(accepted.map((s) => s.arrivedAt)),
      ranDry: lastAccepted < windowEnd - 1000,
      mailsSent: accepted.length,
      apiMsPerCall: apiMs.length > 0 ? round(median(apiMs), 1) : null,
      api: apiTally,
      sender: senderTally,
      ...(endToEnd ? { endToEnd } : {}),
    };
  }
}

/**
 * The slots `[from, to)` held at `rate` that no accepted mail used, split by where they went: into
 * silences longer than 3 slots (nothing was booked: the queue, a poller or a held batch kept every
 * sender away from the schedule), or spread over the rest (spacing wider than one slot).
 */
export function unusedSlots(
  arrivals: number[],
  from: number,
  to: number,
  rate: number,
): RateResult['slotsUnused'] {
  const slotMs = 1000 / rate;
  const inside = arrivals.filter((t) => t >= from && t < to);
  const edges = [from, ...inside, to];
  let inGaps = 0;
  let longestGapMs = 0;
  for (let i = 1; i < edges.length; i++) {
    const gap = (edges[i] ?? 0) - (edges[i - 1] ?? 0);
    longestGapMs = Math.max(longestGapMs, gap);
    if (gap > 3 * slotMs) inGaps += gap / slotMs - 1;
  }
  const unused = Math.max(0, ((to - from) / 1000) * rate - inside.length);
  return {
    inGaps: round(Math.min(unused, inGaps), 1),
    elsewhere: round(Math.max(0, unused - inGaps), 1),
    longestGapMs: Math.round(longestGapMs),
  };
}

runScenario(main);
