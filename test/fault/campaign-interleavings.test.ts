import { DynamoCampaignStore } from '../../lambdas/campaigns/adapters/campaign-store';
import { DynamoRecipientStore } from '../../lambdas/campaigns/adapters/recipient-store';
import { deliverBulk } from '../../lambdas/campaigns/bulk-delivery';
import type { CampaignRecipient, RecipientStatus } from '../../lambdas/campaigns/campaign';
import { fanOut } from '../../lambdas/campaigns/fanout';
import {
  type AddRecipientsResult,
  addRecipients,
  type CampaignDeps,
  cancelCampaign,
  createCampaign,
  pauseCampaign,
  resumeCampaign,
  sendCampaign,
  updateCampaign,
} from '../../lambdas/campaigns/manage-campaigns';
import type {
  CampaignQueues,
  CampaignRepository,
  FanoutMessage,
  RecipientRepository,
} from '../../lambdas/campaigns/ports';
import { renderProblem } from '../../lambdas/campaigns/recipient-import';
import { tick } from '../../lambdas/campaigns/tick';
import { ApiError } from '../../lambdas/requests/errors';
import { LOCAL_TABLES } from '../../local/resources';
import { aSlotNow } from '../unit/support/factories';
import { ScriptedMailer } from '../unit/support/in-memory';
import { InMemoryCampaigns, InMemoryRecipients } from '../unit/support/in-memory-campaigns';
import { startDynamo } from './support/dynamo';
import { Interleaver } from './support/interleaver';
import { SimClock, seededRandom } from './support/sim';

/**
 * Issue 11: uploads, send, schedule, pause, resume, cancel and edits run concurrently against one
 * campaign, together with the fan-out, two senders and the tick, in a random interleaving of their
 * repository and queue calls (a seeded interleaver: a failing seed replays). After each run the
 * campaign is driven to its end and the invariants of DESIGN.md "Campaign integrity" are checked
 * against the records and the mail actually sent.
 */

jest.setTimeout(600_000);

const CONTENT = {
  subject: 'News for {{first_name}}',
  html: '<p>Hi {{first_name}}</p><p><a href="{{unsubscribe_url}}">Unsubscribe</a></p>',
};
/** What an edit may put in: content that needs `plan`, which some rows lack (invariant 5). */
const PLAN_CONTENT = { ...CONTENT, subject: 'Your {{plan}} plan, {{first_name}}' };
/** Rows whose address says so lack `plan`. */
const lacksPlan = (email: string) => email.includes('-noplan');
const TERMINAL: RecipientStatus[] = ['sent', 'failed', 'suppressed', 'cancelled'];

interface Stores {
  campaigns: CampaignRepository;
  recipients: RecipientRepository;
}

interface Run {
  seed: number;
  uploads: { rows: string[]; outcome: { value: AddRecipientsResult } | { error: unknown } }[];
  operations: string[];
  status: string;
  records: CampaignRecipient[];
  content: { subject: string; html?: string; text?: string };
  /** Each edit's outcome: `ok` or its error code. */
  edits: string[];
  totals: Record<string, number>;
  mailed: Map<string, number>;
  steps: number;
}

class TestQueue {
  private messages: { body: string; visibleAt: number }[] = [];
  constructor(private readonly clock: SimClock) {}
  send(body: string, delaySeconds: number) {
    this.messages.push({ body, visibleAt: this.clock.now() + delaySeconds * 1000 });
  }
  take(): string | undefined {
    const index = this.messages.findIndex((m) => m.visibleAt <= this.clock.now());
    if (index < 0) return undefined;
    return this.messages.splice(index, 1)[0]?.body;
  }
  nextVisibleAt(): number | undefined {
    return this.messages.reduce<number | undefined>(
      (min, m) => Math.min(min ?? m.visibleAt, m.visibleAt),
      undefined,
    );
  }
}

async function runOnce(seed: number, stores: Stores, idPrefix: string): Promise<Run> {
  const random = seededRandom(seed);
  const interleaver = new Interleaver(seededRandom(seed + 1));
  const clock = new SimClock();
  const fanoutQueue = new TestQueue(clock);
  const bulkQueue = new TestQueue(clock);
  const campaigns = interleaver.wrap(stores.campaigns);
  const recipients = interleaver.wrap(stores.recipients);
  const queues: CampaignQueues = interleaver.wrap({
    fanout: async (message: FanoutMessage, delaySeconds: number) =>
      fanoutQueue.send(JSON.stringify(message), delaySeconds),
    bulk: async (messages) => {
      for (const message of messages) bulkQueue.send(JSON.stringify(message), 0);
    },
  } satisfies CampaignQueues);
  const mailer = new ScriptedMailer();
  let ids = 0;
  const deps: CampaignDeps = {
    campaigns,
    recipients,
    templates: { get: async () => undefined } as unknown as CampaignDeps['templates'],
    suppressions: { suppressedAmong: async () => new Set<string>() },
    queues,
    ledger: { report: async () => {}, current: async () => 10 },
    reputation: { guard: async () => ({ paused: false }), clear: async () => false },
    bulkContent: async () => ({ unsubscribeSecret: 'f'.repeat(32), publicBaseUrl: 'https://m.example.test' }),
    sendingDomain: 'example.test',
    defaultFrom: { address: 'hello@example.test' },
    submitMessage: async () => {},
    newId: () => `${idPrefix}-${seed}-${++ids}`,
    now: clock.date,
  };
  const fanoutDeps = {
    campaigns,
    recipients,
    suppressions: deps.suppressions,
    queues,
    bulkRate: async () => 10,
    bulkPaused: async () => false,
    now: clock.date,
  };
  const deliver = (body: string) =>
    deliverBulk(body, {
      campaign: (id) => campaigns.get(id),
      campaigns,
      recipients,
      mailer,
      requeue: { requeue: async (b: string, delay: number) => bulkQueue.send(b, delay) },
      content: { unsubscribeSecret: 'f'.repeat(32), publicBaseUrl: 'https://m.example.test' },
      bulkPaused: async () => false,
      quotaExhausted: async () => false,
      now: clock.date,
      slot: aSlotNow(),
    });
  const tickOnce = () => tick({ campaigns, recipients, queues, now: clock.date });
  const fanoutOne = async () => {
    const body = fanoutQueue.take();
    if (body) await fanOut(JSON.parse(body) as FanoutMessage, fanoutDeps);
    return body !== undefined;
  };
  const bulkOne = async () => {
    const body = bulkQueue.take();
    if (body) await deliver(body);
    return body !== undefined;
  };

  // A draft with a few recipients, then everything at once.
  interleaver.active = false;
  const campaign = await createCampaign({ name: `interleaving ${seed}`, ...CONTENT }, deps);
  const rowsOf = (emails: string[]) => ({
    json: {
      recipients: emails.map((email) => ({
        email,
        data: lacksPlan(email) ? { first_name: 'X' } : { first_name: 'X', plan: 'Pro' },
      })),
    },
  });
  await addRecipients(campaign.id, rowsOf(['first@example.org', 'second@example.org']), deps);
  interleaver.active = true;

  const uploadCount = 1 + Math.floor(random() * 3);
  const uploadRows = Array.from({ length: uploadCount }, (_, u) => [
    ...Array.from(
      { length: 5 + Math.floor(random() * 20) },
      (_, i) => `u${u}-${i}${i % 3 === 2 ? '-noplan' : ''}@example.org`,
    ),
    // Shared with another upload and with the first rows: duplicates across uploads.
    `shared${Math.floor(random() * 3)}@example.org`,
    'first@example.org',
  ]);
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)] as T;
  const operations = Array.from({ length: 2 + Math.floor(random() * 4) }, () =>
    pick(['send', 'schedule', 'pause', 'resume', 'cancel', 'send', 'edit', 'edit']),
  );
  const startAfter = async () => {
    for (let i = Math.floor(random() * 12); i > 0; i--) await interleaver.gate();
  };
  const operation = async (name: string) => {
    await startAfter();
    switch (name) {
      case 'send':
        return sendCampaign(campaign.id, {}, deps);
      case 'schedule':
        return sendCampaign(
          campaign.id,
          { at: new Date(clock.now() + 2000 + random() * 3000).toISOString() },
          deps,
        );
      case 'pause':
        return pauseCampaign(campaign.id, deps);
      case 'resume':
        return resumeCampaign(campaign.id, deps);
      case 'edit':
        // Content every row renders, or content some rows do not (refused while they are in).
        return updateCampaign(campaign.id, { name: 'edited', ...pick([CONTENT, PLAN_CONTENT]) }, deps);
      default:
        return cancelCampaign(campaign.id, deps);
    }
  };
  const system = async (work: () => Promise<unknown>, rounds: number) => {
    for (let i = 0; i < rounds; i++) {
      await interleaver.gate();
      if (!(await work())) clock.advanceTo(clock.now() + Math.floor(random() * 400));
    }
  };

  const uploadTasks = uploadRows.map((rows) =>
    interleaver.spawn(async () => {
      await startAfter();
      return addRecipients(campaign.id, rowsOf(rows), deps);
    }),
  );
  const operationTasks = operations.map((name) => interleaver.spawn(() => operation(name)));
  const systemTasks = [
    interleaver.spawn(() => system(fanoutOne, 30)),
    interleaver.spawn(() => system(bulkOne, 40)),
    interleaver.spawn(() => system(bulkOne, 40)),
    interleaver.spawn(() => system(tickOnce, 3)),
  ];
  await interleaver.run();
  const uploadOutcomes = await Promise.all(uploadTasks);
  const operationOutcomes = await Promise.all(operationTasks);
  for (const outcome of [...uploadOutcomes, ...operationOutcomes, ...(await Promise.all(systemTasks))]) {
    // Refusals (409, 422) are expected in a race, and so is an upload that ran out of its write
    // window in virtual time (503 upload_incomplete); anything else is a bug.
    if (
      'error' in outcome &&
      !(
        outcome.error instanceof ApiError &&
        (outcome.error.status < 500 || outcome.error.code === 'upload_incomplete')
      )
    )
      throw outcome.error;
  }

  // Settle: resume what was left paused, start what was left a draft, and let everything run out.
  interleaver.active = false;
  const drainUntil = clock.now() + 3 * 3600_000;
  let nextTick = clock.now();
  for (;;) {
    const current = await stores.campaigns.get(campaign.id);
    if (!current) throw new Error('campaign gone');
    if (current.status === 'paused') await resumeCampaign(campaign.id, deps);
    if (current.status === 'draft') await sendCampaign(campaign.id, {}, deps);
    if ((await fanoutOne()) || (await bulkOne())) continue;
    const finished = current.status === 'completed' || (current.status === 'cancelled' && current.fanoutDone);
    if (finished && fanoutQueue.nextVisibleAt() === undefined && bulkQueue.nextVisibleAt() === undefined)
      break;
    if (clock.now() > drainUntil) break;
    if (clock.now() >= nextTick) {
      await tickOnce();
      nextTick = clock.now() + 60_000;
    }
    const next = [fanoutQueue.nextVisibleAt(), bulkQueue.nextVisibleAt(), nextTick].filter(
      (t): t is number => t !== undefined,
    );
    clock.advanceTo(Math.max(clock.now() + 1, Math.min(...next)));
  }

  const finalCampaign = await stores.campaigns.get(campaign.id);
  const records: CampaignRecipient[] = [];
  let cursor: string | undefined;
  do {
    const page = await stores.recipients.page(campaign.id, 1000, cursor);
    records.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  const mailed = new Map<string, number>();
  for (const mail of mailer.sent) {
    const to = (mail.to[0] ?? '').toLowerCase();
    mailed.set(to, (mailed.get(to) ?? 0) + 1);
  }
  return {
    seed,
    uploads: uploadRows.map((rows, i) => ({
      rows,
      outcome: uploadOutcomes[i] as Run['uploads'][number]['outcome'],
    })),
    operations,
    status: finalCampaign?.status ?? 'gone',
    records,
    content: finalCampaign?.content ?? CONTENT,
    edits: operations.flatMap((name, i) => {
      if (name !== 'edit') return [];
      const outcome = operationOutcomes[i] as { value: unknown } | { error: unknown };
      return ['value' in outcome ? 'ok' : String((outcome.error as ApiError).code)];
    }),
    totals: { ...(finalCampaign?.totals ?? {}) },
    mailed,
    steps: interleaver.steps,
  };
}

/** Every invariant, as a list of broken ones (empty when all hold). */
function brokenInvariants(run: Run): string[] {
  const broken: string[] = [];
  const byEmail = new Map(run.records.map((r) => [r.email, r]));
  if (run.status !== 'completed' && run.status !== 'cancelled')
    broken.push(`ended ${run.status}, not completed or cancelled`);
  // 1. Every record ends terminal; a sent one was mailed exactly once; nobody else was mailed.
  for (const record of run.records) {
    if (!TERMINAL.includes(record.status)) broken.push(`${record.email} ended ${record.status}`);
    if (record.status === 'sent' && run.mailed.get(record.email) !== 1)
      broken.push(`${record.email} is sent but was mailed ${run.mailed.get(record.email) ?? 0} times`);
    if (run.status === 'completed' && record.status === 'cancelled')
      broken.push(`${record.email} cancelled in a completed campaign`);
  }
  for (const [email, times] of run.mailed) {
    if (times > 1) broken.push(`${email} mailed ${times} times`);
    if (byEmail.get(email)?.status !== 'sent')
      broken.push(`${email} mailed but recorded ${byEmail.get(email)?.status}`);
  }
  // 2 and 4. An accepted upload's rows all exist (but those it refused); a refused one added nothing of its own.
  for (const upload of run.uploads) {
    const own = upload.rows.filter((email) => email.startsWith('u'));
    if ('value' in upload.outcome) {
      const invalid = new Set(upload.outcome.value.invalid.map((row) => row.email));
      for (const email of own) {
        if (!invalid.has(email) && !byEmail.has(email)) broken.push(`${email} accepted but not stored`);
        if (invalid.has(email) && byEmail.has(email) && !upload.rows.includes(email.replace(/^u\d+/, '')))
          broken.push(`${email} refused but stored`);
      }
    } else if ((upload.outcome.error as ApiError).code !== 'upload_incomplete') {
      for (const email of own) if (byEmail.has(email)) broken.push(`${email} stored by a refused upload`);
    }
  }
  // 5. Every row renders with the content the campaign ended with: none failed for it.
  for (const record of run.records) {
    const problem = renderProblem(run.content, record.data);
    if (problem) broken.push(`${record.email} does not render with the final content: ${problem}`);
    if (record.failure?.code === 'Unrenderable') broken.push(`${record.email} failed Unrenderable`);
  }
  // 3. The counters of a finished campaign are what the records say.
  const count = (status: RecipientStatus) => run.records.filter((r) => r.status === status).length;
  const expected = {
    recipients: run.records.length,
    queued: 0,
    sent: count('sent'),
    failed: count('failed'),
    suppressed: count('suppressed'),
    cancelled: count('cancelled'),
  };
  if (JSON.stringify(run.totals) !== JSON.stringify(expected))
    broken.push(`totals ${JSON.stringify(run.totals)} but records say ${JSON.stringify(expected)}`);
  return broken;
}

function check(run: Run) {
  const broken = brokenInvariants(run);
  if (broken.length > 0) {
    throw new Error(
      `seed ${run.seed} (operations ${run.operations.join(', ')}; uploads ${run.uploads
        .map((u) =>
          'value' in u.outcome
            ? `added ${u.outcome.value.added}`
            : String((u.outcome.error as Error).message),
        )
        .join('; ')}): ${broken.slice(0, 8).join('; ')}`,
    );
  }
}

describe('uploads, send, schedule, pause, resume and cancel at once keep the campaign invariants', () => {
  it('in 400 random interleavings over the in-memory repositories (the adapters’ semantics)', async () => {
    const statuses: Record<string, number> = {};
    const edits: Record<string, number> = {};
    let endedNeedingPlan = 0;
    let steps = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const run = await runOnce(
        seed,
        { campaigns: new InMemoryCampaigns(), recipients: new InMemoryRecipients() },
        'mem',
      );
      check(run);
      statuses[run.status] = (statuses[run.status] ?? 0) + 1;
      for (const edit of run.edits) edits[edit] = (edits[edit] ?? 0) + 1;
      if (run.content.subject === PLAN_CONTENT.subject) endedNeedingPlan++;
      steps += run.steps;
    }
    // Edits are taken, refused for rows that lack `plan`, and refused while an upload runs; some
    // campaigns end with content that needs `plan`, so uploads did have rows refused for it.
    expect(edits).toMatchObject({
      ok: expect.any(Number),
      unrenderable_for_recipients: expect.any(Number),
      upload_in_progress: expect.any(Number),
    });
    expect(endedNeedingPlan).toBeGreaterThan(0);
    // Both endings are reached, so the runs do race starts against cancels.
    expect(statuses.completed).toBeGreaterThan(0);
    expect(statuses.cancelled).toBeGreaterThan(0);
    expect(steps).toBeGreaterThan(400 * 50);
  });

  describe('against dynalite (the DynamoDB adapters and their condition expressions)', () => {
    let stop: () => Promise<void>;
    beforeAll(async () => {
      stop = (await startDynamo()).stop;
    }, 60_000);
    afterAll(async () => {
      await stop?.();
    });

    it('in 25 random interleavings', async () => {
      const stores = {
        campaigns: new DynamoCampaignStore(LOCAL_TABLES.campaigns.name),
        recipients: new DynamoRecipientStore(LOCAL_TABLES.recipients.name),
      };
      for (let seed = 1001; seed <= 1025; seed++) check(await runOnce(seed, stores, 'ddb'));
    });
  });
});
