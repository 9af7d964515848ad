/**
 * (f) Two stacks in one account: two independent Mailroom runtimes (each with its own DynamoDB,
 * rate ledger and queues, in processes of their own) send to ONE strict fake SES, as two stacks in
 * one account and region share one MaxSendRate. Each runtime learns the account's MaxSendRate from
 * the fake SES's GetAccount and paces to its `sendRateShare` of it (env SEND_RATE_SHARE; no
 * MAX_SEND_RATE override, which would be absolute). Both queues hold more mail than the account can
 * send in the window. Measures, per runtime and together, mails accepted per second, attempts per
 * second and throttles (429s) in the steady state: from --warmup seconds after both runtimes had a
 * mail accepted, for --seconds.
 *
 *   node --import tsx bench/scenarios/shared-account.ts --rate 14 --seconds 12 --shares 0.5,0.5
 */

import { httpApi, inParallel, otpMail } from '../support/api';
import { maxInAnySecond, type SendRecord } from '../support/fake-ses';
import {
  type Container,
  type RuntimeHost,
  sesSends,
  startContainer,
  startRuntimeHost,
  startService,
} from '../support/services';
import { round, runScenario, scenarioArgs, sleep, until, writeResult } from '../support/stats';

export interface SharedRuntimeFigures {
  name: string;
  share: number;
  /** What the runtime's own GET /v1/account says it paces to (MaxSendRate × share). */
  rateInUse: number | null;
  queued: number;
  acceptedInWindow: number;
  sentPerSecond: number;
  /** Sends that reached SES per second, accepted or throttled. */
  attemptsPerSecond: number;
  throttlesInWindow: number;
  throttlesTotal: number;
  maxInAnySecond: number;
  /** Its queue ran out before the window ended: its figures cover less than --seconds. */
  ranDry: boolean;
}

export interface SharedAccountResult {
  label: string;
  maxSendRate: number;
  shares: number[];
  steadySeconds: number;
  containersPerRuntime: number;
  pollers: number;
  runtimes: SharedRuntimeFigures[];
  combined: {
    sentPerSecond: number;
    /** Together ÷ the account's MaxSendRate. */
    ratio: number;
    attemptsPerSecond: number;
    throttlesInWindow: number;
    throttlesTotal: number;
    /** Throttled share of the sends that reached SES in the window. */
    throttledShare: number;
    maxInAnySecond: number;
  };
}

async function main(): Promise<void> {
  const args = scenarioArgs();
  const rate = Number(args.rate ?? 14);
  const seconds = Number(args.seconds ?? 12);
  const warmup = Number(args.warmup ?? 2);
  const containers = Number(args.containers ?? 1);
  const pollers = Number(args.pollers ?? 2);
  const shares = (args.shares ?? '0.5,0.5').split(',').map(Number);
  const label = args.label ?? `shares ${shares.join(' + ')}`;
  if (shares.some((s) => !(s > 0 && s <= 1))) throw new Error(`--shares: each in (0, 1], got ${args.shares}`);

  const ses = await startService('ses', { maxSendRate: rate, latencyMs: [50, 150] });
  const names = shares.map((_, i) => String.fromCharCode(65 + i));
  const hosts: RuntimeHost[] = await Promise.all(
    shares.map((share) => startRuntimeHost({ ses: ses.endpoint, share })),
  );
  // Which runtime a send came from: each runtime's recipients carry its name.
  const prefixOf = (name: string) => `${name.toLowerCase()}-`;
  const runtimeOf = (s: SendRecord) => names.find((n) => s.to[0]?.startsWith(prefixOf(n)));

  // Each queue alone could keep the whole account rate busy past the end of the window: whatever
  // a runtime paces to, it never runs out of mail.
  const needed = Math.ceil(rate * (warmup + seconds + 3) * 1.15);
  const queued = await Promise.all(
    hosts.map(async (host, r) => {
      const api = httpApi(host.apiUrl);
      let count = 0;
      await inParallel(needed, 16, async (i) => {
        const mail = { ...otpMail(i), to: `${prefixOf(names[r] ?? '')}user${i}@example.org` };
        const response = await api('POST', '/v1/emails', mail);
        if (response.status !== 202) throw new Error(`POST /v1/emails: ${JSON.stringify(response)}`);
        count++;
      });
      return count;
    }),
  );
  const rateInUse = await Promise.all(
    hosts.map(async (host) => {
      const account = await httpApi(host.apiUrl)('GET', '/v1/account');
      return account.status === 200 ? round(Number(account.body.rateInUse), 3) : null;
    }),
  );

  // Every runtime's senders at once, as both stacks run all day.
  const running: Container[][] = await Promise.all(
    hosts.map((host) =>
      Promise.all(
        Array.from({ length: containers }, () =>
          startContainer([{ queue: 'transactional', maxConcurrency: pollers }], {
            ...host.env,
            MAX_SEND_RATE: '',
          }),
        ),
      ),
    ),
  );

  let windowStart = 0;
  const started = await until(async () => {
    const accepted = (await sesSends(ses)).filter((s) => s.status === 200);
    const firsts = names.map((n) => accepted.find((s) => runtimeOf(s) === n)?.arrivedAt);
    if (firsts.some((t) => t === undefined)) return false;
    windowStart = Math.max(...(firsts as number[])) + warmup * 1000;
    return true;
  }, 60_000);
  if (!started) throw new Error('not every runtime had a mail accepted within 60 s');
  const windowEnd = windowStart + seconds * 1000;
  await sleep(Math.max(0, windowEnd + 300 - Date.now()));

  await Promise.all(running.flat().map((c) => c.stop()));
  const sends = (await sesSends(ses)).filter((s) => s.stream === 'transactional');
  await Promise.all(hosts.map((h) => h.stop()));
  await ses.stop();

  const inWindow = (s: SendRecord) => s.arrivedAt >= windowStart && s.arrivedAt < windowEnd;
  const figures = (of: SendRecord[]) => {
    const accepted = of.filter((s) => s.status === 200);
    const acceptedInWindow = accepted.filter(inWindow).length;
    const attemptsInWindow = of.filter(inWindow).length;
    const throttlesInWindow = of.filter((s) => s.status === 429 && inWindow(s)).length;
    return {
      acceptedInWindow,
      sentPerSecond: round(acceptedInWindow / seconds, 2),
      attemptsPerSecond: round(attemptsInWindow / seconds, 2),
      throttlesInWindow,
      throttlesTotal: of.filter((s) => s.status === 429).length,
      throttledShare: attemptsInWindow > 0 ? round(throttlesInWindow / attemptsInWindow) : 0,
      maxInAnySecond: maxInAnySecond(accepted.map((s) => s.arrivedAt)),
      lastAcceptedAt: accepted.at(-1)?.arrivedAt ?? 0,
    };
  };
  const runtimes: SharedRuntimeFigures[] = names.map((name, r) => {
    const f = figures(sends.filter((s) => runtimeOf(s) === name));
    return {
      name,
      share: shares[r] ?? 1,
      rateInUse: rateInUse[r] ?? null,
      queued: queued[r] ?? 0,
      acceptedInWindow: f.acceptedInWindow,
      sentPerSecond: f.sentPerSecond,
      attemptsPerSecond: f.attemptsPerSecond,
      throttlesInWindow: f.throttlesInWindow,
      throttlesTotal: f.throttlesTotal,
      maxInAnySecond: f.maxInAnySecond,
      ranDry: f.lastAcceptedAt < windowEnd - 1000,
    };
  });
  const all = figures(sends);
  const result: SharedAccountResult = {
    label,
    maxSendRate: rate,
    shares,
    steadySeconds: seconds,
    containersPerRuntime: containers,
    pollers,
    runtimes,
    combined: {
      sentPerSecond: all.sentPerSecond,
      ratio: round(all.acceptedInWindow / seconds / rate),
      attemptsPerSecond: all.attemptsPerSecond,
      throttlesInWindow: all.throttlesInWindow,
      throttlesTotal: all.throttlesTotal,
      throttledShare: all.throttledShare,
      maxInAnySecond: all.maxInAnySecond,
    },
  };
  writeResult(args.out, result);
}

runScenario(main);
