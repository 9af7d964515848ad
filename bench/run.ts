/**
 * `npm run bench`: every figure of issue 6, and (f) two stacks sharing one account (issue 10), each
 * scenario in processes of its own, printed as a table and written to bench/results/ (git-ignored)
 * as JSON. `npm run bench -- --quick` shortens
 * the windows and the fan-out list for a first look; the README's figures come from a full run.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { EVENTS_PER_MAIL, PRICES, streamCosts } from './cost';
import type { BundleResult } from './scenarios/bundles';
import type { CostResult } from './scenarios/cost';
import type { FanoutResult } from './scenarios/fanout';
import type { HotItemsResult } from './scenarios/hot-items';
import type { LatencyResult } from './scenarios/latency';
import type { RateResult } from './scenarios/rate';
import type { SharedAccountResult } from './scenarios/shared-account';
import { REPO_ROOT } from './support/services';

const quick = process.argv.includes('--quick');
/** `--only de` runs only the scenarios of those tables (letters as printed); every one by default. */
const only = process.argv.includes('--only')
  ? (process.argv[process.argv.indexOf('--only') + 1] ?? '')
  : undefined;
const wanted = (letter: string) => only === undefined || only.includes(letter);
/** `--rows 100/s` runs only the rows of (a) whose label holds that text. */
const rows = process.argv.includes('--rows') ? process.argv[process.argv.indexOf('--rows') + 1] : undefined;
const scale = (full: number, short: number) => String(quick ? short : full);

/** The fake SES's answer latency: 100 ms ± 50 % (as before), and a harsher 30–300 ms. */
const LATENCY = { usual: '50,150', harsh: '30,300' };

/**
 * (a): stream, rate, the shape the sender runs in, and the fake SES's latency. Containers = 1 with
 * 2 pollers is `npm start`. At 1/s a window holds few slots, so one slot moves the ratio by 1/window:
 * 50 s keeps that step at 0.02.
 */
const RATE_RUNS: { label: string; args: Record<string, string> }[] = [
  {
    label: '1/s (sandbox), npm start',
    args: { rate: '1', containers: '1', pollers: '2', seconds: scale(50, 20) },
  },
  {
    label: '1/s (sandbox), 2 containers',
    args: { rate: '1', containers: '2', pollers: '1', seconds: scale(50, 20) },
  },
  {
    label: '1/s (sandbox), 2 containers, 30-300 ms',
    args: { rate: '1', containers: '2', pollers: '1', seconds: scale(50, 20), latency: LATENCY.harsh },
  },
  { label: '14/s, npm start', args: { rate: '14', containers: '1', pollers: '2', seconds: scale(15, 8) } },
  { label: '14/s, 2 containers', args: { rate: '14', containers: '2', pollers: '1', seconds: scale(15, 8) } },
  {
    label: '14/s, 2 containers, 30-300 ms',
    args: { rate: '14', containers: '2', pollers: '1', seconds: scale(15, 8), latency: LATENCY.harsh },
  },
  { label: '100/s, npm start', args: { rate: '100', containers: '1', pollers: '2', seconds: scale(12, 6) } },
  {
    label: '100/s, 4 containers',
    args: { rate: '100', containers: '4', pollers: '1', seconds: scale(12, 6) },
  },
  {
    label: '100/s, 4 containers, 30-300 ms',
    args: { rate: '100', containers: '4', pollers: '1', seconds: scale(12, 6), latency: LATENCY.harsh },
  },
  {
    label: '1000/s, 1 container, 20 pollers',
    args: {
      rate: '1000',
      containers: '1',
      pollers: '20',
      seconds: '5',
      warmup: '1',
      queue: scale(3000, 2000),
    },
  },
  {
    label: 'bulk 14/s, npm start',
    args: { rate: '14', containers: '1', pollers: '2', seconds: scale(15, 8), stream: 'bulk' },
  },
  // End to end: a whole campaign from the send call to SES accepting its last mail.
  {
    label: 'campaign of 3,000, 100/s, 4 containers',
    args: { rate: '100', containers: '4', pollers: '1', seconds: '20', campaign: '3000' },
  },
  {
    label: 'campaign of 3,000, 100/s, 4 containers, 30-300 ms',
    args: {
      rate: '100',
      containers: '4',
      pollers: '1',
      seconds: '20',
      campaign: '3000',
      latency: LATENCY.harsh,
    },
  },
];

/**
 * (f) Two stacks in one account: two runtimes (own tables, rate ledger and queues) against one fake
 * SES at 14/s, each pacing to its `sendRateShare` of the MaxSendRate GetAccount reports.
 */
const SHARED_RUNS: { label: string; shares: string }[] = [
  { label: '1 + 1 (each paces to all of it)', shares: '1,1' },
  { label: '0.5 + 0.5', shares: '0.5,0.5' },
  { label: '0.7 + 0.3', shares: '0.7,0.3' },
];

const work = join(tmpdir(), `mailroom-bench-${process.pid}`);
mkdirSync(work, { recursive: true });

/** Runs one scenario file in a fresh process and returns its JSON result; its chatter is kept quiet. */
function scenario<T>(file: string, args: Record<string, string>): T {
  const out = join(work, `${Math.random().toString(36).slice(2)}.json`);
  const argv = Object.entries({ ...args, out }).flatMap(([k, v]) => [`--${k}`, v]);
  const started = Date.now();
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, file), ...argv], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.status !== 0) {
    console.error(run.stdout.slice(-4000), run.stderr.slice(-4000));
    throw new Error(`${file} ${argv.join(' ')} exited with ${run.status}`);
  }
  console.error(`  ${file} ${JSON.stringify(args)}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return JSON.parse(readFileSync(out, 'utf8')) as T;
}

function table(title: string, head: string[], rows: (string | number)[][]): void {
  if (rows.length === 0) return;
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  console.log(`\n${title}\n${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const r of cells.slice(1)) console.log(line(r));
}

const dollars = (n: number) => `$${n.toFixed(2)}`;
const yes = (ok: boolean) => (ok ? 'met' : 'NOT met');

function main(): void {
  const startedAt = new Date();
  const loadAtStart = loadavg();
  console.error(`Mailroom bench${quick ? ' (quick)' : ''}: each scenario runs in processes of its own`);

  const rates = RATE_RUNS.filter(
    ({ label }) => wanted('a') && (rows === undefined || label.includes(rows)),
  ).map(({ label, args }) => ({
    ...scenario<RateResult>('bench/scenarios/rate.ts', { ...args, label }),
  }));
  const latency = wanted('b')
    ? [scenario<LatencyResult>('bench/scenarios/latency.ts', { rate: '14', seconds: scale(60, 15) })]
    : [];
  const fanout = wanted('c')
    ? scenario<FanoutResult>('bench/scenarios/fanout.ts', { recipients: scale(100_000, 20_000) })
    : undefined;
  const bundles = wanted('e')
    ? scenario<BundleResult[]>('bench/scenarios/bundles.ts', { runs: scale(7, 3) })
    : [];
  const sharedAccount = SHARED_RUNS.filter(() => wanted('f')).map(({ label, shares }) =>
    scenario<SharedAccountResult>('bench/scenarios/shared-account.ts', {
      rate: '14',
      shares,
      seconds: scale(12, 6),
      label,
    }),
  );

  // (d) Cost per million mails, end to end, from what the cost scenario counted.
  const hotItems = wanted('g')
    ? scenario<HotItemsResult>('bench/scenarios/hot-items.ts', { senders: '8', batches: scale(40, 20) })
    : undefined;
  const costRun = wanted('d')
    ? scenario<CostResult>('bench/scenarios/cost.ts', { mails: scale(210, 70), rate: '14' })
    : undefined;
  const cost = costRun && streamCosts(costRun);

  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };

  const load = (l: number[] | undefined) => (l ? l.map((x) => x.toFixed(1)).join(' ') : '?');
  const percent = (share: number) => `${(share * 100).toFixed(1)} %`;
  table(
    '(a) Rate adherence: strict fake SES (any trailing second); steady state only. Targets: ratio >= 0.98, throttled <= 1 % of sends',
    [
      'run',
      'stream',
      'latency ms',
      'MaxSendRate',
      'achieved/s',
      'ratio',
      'throttled % of sends',
      'throttles (window/all of attempts)',
      'max in any 1 s',
      'slots unused: gaps/elsewhere',
      'load avg (1, 5, 15 min) at start',
      'fake SES loop delay p99 ms',
      'note',
    ],
    rates
      .filter((r) => !r.endToEnd)
      .map((r) => [
        r.label,
        r.stream,
        r.latencyMs.join('-'),
        r.maxSendRate,
        r.achievedPerSecond,
        `${r.ratio} ${r.ratio >= 0.98 ? 'met' : 'NOT met'}`,
        `${percent(r.throttledShare)} ${r.throttledShare <= 0.01 ? 'met' : 'NOT met'}`,
        `${r.throttlesInWindow}/${r.throttlesTotal} of ${r.sendAttempts}`,
        r.maxInAnySecond,
        `${r.slotsUnused.inGaps}/${r.slotsUnused.elsewhere}`,
        load(r.loadAverage.atStart),
        r.sesLoopDelayMs.p99,
        r.ranDry ? 'queue ran dry' : '',
      ]),
  );
  table(
    "(a) End to end: from the campaign's send call to SES accepting its last mail. Target: recipients / elapsed / MaxSendRate >= 0.95",
    [
      'run',
      'latency ms',
      'seconds',
      'ratio',
      'first mail after s',
      'steady-state ratio',
      'throttled % of sends',
      'accepted',
      'load avg at start',
    ],
    rates.flatMap((r) =>
      r.endToEnd
        ? [
            [
              r.label,
              r.latencyMs.join('-'),
              r.endToEnd.seconds,
              `${r.endToEnd.ratio} ${r.endToEnd.ratio >= 0.95 ? 'met' : 'NOT met'}`,
              r.endToEnd.firstMailSeconds,
              r.ratio,
              `${percent(r.throttledShare)} ${r.throttledShare <= 0.01 ? 'met' : 'NOT met'}`,
              `${r.endToEnd.accepted}/${r.endToEnd.recipients}`,
              load(r.loadAverage.atStart),
            ],
          ]
        : [],
    ),
  );
  table(
    '(b) Transactional latency under a campaign saturating 14/s (API 202 -> SES accepted)',
    ['run', 'OTPs', 'p50 ms', 'p99 ms', 'max ms', 'combined/rate', 'bulk/s', 'throttles tx/bulk'],
    latency.map((l) => [
      `${l.steadySeconds} s`,
      `${l.transactionalSent}/${l.transactionalSubmitted}`,
      l.p50Ms,
      l.p99Ms,
      l.maxMs,
      l.combinedRatio,
      l.bulkPerSecond,
      `${l.throttles.transactional}/${l.throttles.bulk}`,
    ]),
  );
  if (fanout) {
    const perRecipient = (n: number) => (n / fanout.recipients).toFixed(3);
    const calls = (t: FanoutResult['fanout'], prefix: string) =>
      Object.entries(t.calls)
        .filter(([k]) => k.startsWith(prefix))
        .reduce((sum, [, n]) => sum + n, 0);
    table(
      `(c) Fan-out of ${fanout.recipients.toLocaleString('en')} recipients (continuations not delayed)`,
      ['phase', 'seconds', 'recipients/s', 'DynamoDB calls/recipient', 'SQS calls/recipient', 'API calls'],
      [
        [
          'add (1,000 per call)',
          fanout.addSeconds,
          Math.round(fanout.recipients / fanout.addSeconds),
          perRecipient(calls(fanout.add, 'DynamoDB.')),
          perRecipient(calls(fanout.add, 'SQS.')),
          fanout.addApiCalls,
        ],
        [
          'fan-out to the bulk queue',
          fanout.fanoutSeconds,
          fanout.recipientsQueuedPerSecond,
          perRecipient(calls(fanout.fanout, 'DynamoDB.')),
          perRecipient(calls(fanout.fanout, 'SQS.')),
          1,
        ],
      ],
    );
  }
  if (cost && costRun) {
    table(
      `(d) AWS overhead per million mails beside SES's $100 (us-east-1 list prices of ${PRICES.checkedOn}; ${costRun.transactional.htmlBytes / 1000} KB OTP, ${costRun.bulk.htmlBytes / 1000} KB newsletter; ${EVENTS_PER_MAIL.join(', ')} events per mail); target <= $2`,
      ['stream', 'part', 'DynamoDB', 'SQS', 'SNS', 'Lambda', 'API Gateway', 'write units/mail', 'total'],
      (['transactional', 'bulk'] as const).flatMap((stream) => {
        const c = cost[stream];
        return [
          ...c.parts.map((p) => [
            stream,
            p.name,
            dollars(p.perMillion.dynamodb),
            dollars(p.perMillion.sqs),
            dollars(p.perMillion.sns),
            dollars(p.perMillion.lambda),
            dollars(p.perMillion.apiGateway),
            p.writeUnitsPerMail.toFixed(2),
            dollars(Object.values(p.perMillion).reduce((a, b) => a + b, 0)),
          ]),
          [
            stream,
            `OVERHEAD (${yes(c.overheadPerMillion <= 2)})`,
            dollars(c.perMillion.dynamodb),
            dollars(c.perMillion.sqs),
            dollars(c.perMillion.sns),
            dollars(c.perMillion.lambda),
            dollars(c.perMillion.apiGateway),
            c.parts.reduce((sum, p) => sum + p.writeUnitsPerMail, 0).toFixed(2),
            dollars(c.overheadPerMillion),
          ],
        ];
      }),
    );
    for (const stream of ['transactional', 'bulk'] as const) {
      console.log(
        `  ${stream} dominated by: ${cost[stream].dominant
          .slice(0, 4)
          .map((d) => `${d.call} ${dollars(d.dollars)}`)
          .join('; ')}`,
      );
    }
  }
  table(
    '(e) Bundles as synth builds them (SDK left to the runtime) and module init (cold require, median); targets <= 500 KB, <= 150 ms',
    [
      'function',
      'KB',
      '<= 500 KB',
      'init ms (CPU ms)',
      '<= 150 ms',
      'load avg',
      'SDK bundled: KB, init ms (CPU)',
      'largest parts',
    ],
    bundles.map((b) => [
      b.name,
      Math.round(b.bytes / 1024),
      yes(b.bytes <= 500 * 1024),
      `${b.initMsMedian} (${b.initCpuMsMedian})`,
      yes(b.initMsMedian <= 150),
      b.loadAverage,
      `${Math.round(b.sdkBundled.bytes / 1024)}, ${b.sdkBundled.initMsMedian} (${b.sdkBundled.initCpuMsMedian})`,
      b.largest
        .slice(0, 3)
        .map((l) => `${l.name} ${Math.round(l.bytes / 1024)} KB`)
        .join(', '),
    ]),
  );

  const perRuntime = (s: SharedAccountResult, pick: (r: SharedAccountResult['runtimes'][number]) => string) =>
    s.runtimes.map((r) => `${r.name} ${pick(r)}`).join(', ');
  table(
    '(f) Two stacks in one account: two runtimes (own tables and queues) against one fake SES at 14/s',
    [
      'shares',
      'rate in use',
      'sent/s',
      'throttles in window',
      'together/s',
      'together/rate',
      'attempts/s',
      'throttles (window/all)',
      'max in any 1 s',
      'note',
    ],
    sharedAccount.map((s) => [
      s.label,
      perRuntime(s, (r) => String(r.rateInUse ?? '?')),
      perRuntime(s, (r) => String(r.sentPerSecond)),
      perRuntime(s, (r) => String(r.throttlesInWindow)),
      s.combined.sentPerSecond,
      s.combined.ratio,
      s.combined.attemptsPerSecond,
      `${s.combined.throttlesInWindow}/${s.combined.throttlesTotal}`,
      s.combined.maxInAnySecond,
      s.runtimes.some((r) => r.ranDry) ? 'a queue ran dry' : '',
    ]),
  );

  if (hotItems) {
    table(
      `(g) Hot items at scale (real update paths on dynalite, ${hotItems.senders} senders, ${hotItems.mails} mails per rate, each rate with its design; counted on the hottest item, then scaled): DynamoDB allows 1,000 writes and write units/s per item`,
      ['item', 'rate', 'items', 'writes/mail', 'refused/mail', 'units/mail', 'writes/s', 'units/s', ''],
      hotItems.items.flatMap((i) =>
        i.atRate.map((r) => [
          i.item,
          r.mailsPerSecond,
          r.items,
          r.writesPerMail,
          r.refusedWritesPerMail,
          r.writeUnitsPerMail,
          r.writesPerSecond,
          r.writeUnitsPerSecond,
          `${r.overLimit ? 'OVER' : 'ok'}${r.note ? `; ${r.note}` : ''}`,
        ]),
      ),
    );
    table(
      '(g) before (bench of 2026-11-30 10:52 UTC: content in the campaign item, counters on it, one schedule item)',
      ['item', 'writes/mail', 'units/mail', 'at 1,000/s: units/s', 'at 10,000/s: units/s'],
      hotItems.before.map((b) => [
        b.item,
        b.writesPerMail,
        b.writeUnitsPerMail,
        Math.round(b.writeUnitsPerMail * 1_000),
        Math.round(b.writeUnitsPerMail * 10_000),
      ]),
    );
  }

  const result = {
    startedAt,
    quick,
    machine,
    // os.loadavg() (1, 5, 15 min) before and after; each scenario records its own beside its figures.
    loadAverage: { atStart: loadAtStart, atEnd: loadavg() },
    prices: PRICES,
    rates,
    latency,
    fanout,
    bundles,
    sharedAccount,
    hotItems,
    cost: cost && { ...cost, counted: costRun },
  };
  const dir = join(REPO_ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bench-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2));
  writeFileSync(join(dir, 'latest.json'), JSON.stringify(result, null, 2));
  rmSync(work, { recursive: true, force: true });
  console.log(
    `\nMachine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}; load average now ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (1, 5, 15 min)`,
  );
  console.log(`Figures written to ${file}`);
}

main();
