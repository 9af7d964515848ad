import { randomUUID } from 'node:crypto';
import type { SQSRecord } from 'aws-lambda';
import { FakeSes, type SendRecord } from '../../../bench/support/fake-ses';
import { DynamoCampaignStore } from '../../../lambdas/campaigns/adapters/campaign-store';
import { DynamoRecipientStore } from '../../../lambdas/campaigns/adapters/recipient-store';
import { deliverBulk } from '../../../lambdas/campaigns/bulk-delivery';
import type { Campaign, CampaignRecipient } from '../../../lambdas/campaigns/campaign';
import { fanOut } from '../../../lambdas/campaigns/fanout';
import {
  addRecipients,
  type CampaignDeps,
  createCampaign,
  sendCampaign,
} from '../../../lambdas/campaigns/manage-campaigns';
import type { CampaignQueues, FanoutMessage } from '../../../lambdas/campaigns/ports';
import { tick } from '../../../lambdas/campaigns/tick';
import { DynamoSuppressionList } from '../../../lambdas/feedback/adapters/suppression-store';
import { dynamo } from '../../../lambdas/platform/clients/dynamo';
import { sesForSending } from '../../../lambdas/platform/clients/ses';
import { DynamoSendSchedule } from '../../../lambdas/sending/adapters/dynamo-send-schedule';
import { SesMailer } from '../../../lambdas/sending/adapters/ses-mailer';
import type { Requeue } from '../../../lambdas/sending/ports';
import { processBatch } from '../../../lambdas/sending/process-batch';
import { BULK_LOOKAHEAD_MS } from '../../../lambdas/sending/send-schedule';
import { DynamoTemplateStore } from '../../../lambdas/templates/adapters/template-store';
import { LOCAL_TABLES } from '../../../local/resources';
import { type DynamoWriteFaults, Invocation, injectDynamoWriteFaults } from './faults';
import { SimClock, SimQueue, seededRandom } from './sim';

export interface WorldOptions {
  seed: number;
  /** Valid, distinct recipients uploaded (some of them on the suppression list). */
  recipients: number;
  suppressed: number;
  /** Rows refused at upload (bad address, a merge variable without a value). */
  invalidRows: number;
  /** Rows naming, in another case, an address already uploaded. */
  duplicateRows: number;
  ses: { throttle: number; serverError: number };
  /** Chance that the sender dies right after a claim it just won (the whole invocation dies). */
  crashAfterClaim: number;
  /** Share of SQS sends delivered twice. */
  sqsDuplicates: number;
  dynamoWriteThrottle: number;
  dynamoLayer: DynamoWriteFaults['layer'];
  /** Concurrent sender invocations (the event source's maximum concurrency). */
  containers: number;
  /** The account's send rate, shared by every container through the send schedule. */
  rate: number;
}

export interface WorldResult {
  campaign: Campaign;
  recipients: CampaignRecipient[];
  /** How many times SES took a mail for each (normalized) address. */
  mailed: Map<string, number>;
  sends: SendRecord[];
  /** Addresses whose send SES answered with a 5xx. */
  serverErrors: Set<string>;
  /** Addresses whose claim was held by a sender invocation when it died. */
  crashVictims: Set<string>;
  suppressedAddresses: Set<string>;
  upload: { added: number; duplicates: number; invalid: number };
  deadLetters: { bulk: string[]; fanout: string[] };
  crashes: number;
  duplicatesDelivered: number;
  dynamoThrottles: number;
  virtualSeconds: number;
}

const CONTENT = {
  subject: 'News for {{first_name}}',
  html: '<p>Hi {{first_name}}</p><p><a href="{{unsubscribe_url}}">Unsubscribe</a></p>',
  text: 'Hi {{first_name}}. Unsubscribe: {{unsubscribe_url}}',
};

/**
 * A campaign sent by the real domain code (createCampaign, addRecipients, sendCampaign, fanOut,
 * processBatch + deliverBulk, the campaign tick) over the real DynamoDB adapters against dynalite
 * and the real SES mailer against a faulty fake SES, with SQS simulated in virtual time. Faults are
 * injected around the collaborators, never inside Mailroom's code.
 *
 * Call `runCampaign` once per test file: the adapters share one SDK client per module registry.
 */
export async function runCampaign(options: WorldOptions): Promise<WorldResult> {
  const random = seededRandom(options.seed);
  const clock = new SimClock();
  const ses = new FakeSes({
    maxSendRate: Number.POSITIVE_INFINITY,
    faults: options.ses,
    random: seededRandom(options.seed + 1),
  });
  process.env.AWS_ENDPOINT_URL_SESV2 = await ses.start();
  const dynamoFaults: DynamoWriteFaults = {
    throttleRate: 0,
    layer: options.dynamoLayer,
    random: seededRandom(options.seed + 2),
    injected: 0,
  };
  injectDynamoWriteFaults(dynamo, dynamoFaults);

  const campaigns = new DynamoCampaignStore(LOCAL_TABLES.campaigns.name);
  const recipients = new DynamoRecipientStore(LOCAL_TABLES.recipients.name);
  const suppressions = new DynamoSuppressionList(LOCAL_TABLES.suppressions.name);
  const mailer = new SesMailer(sesForSending, { transactional: 'transactional', bulk: 'bulk' });
  const queueOptions = {
    duplicateRate: options.sqsDuplicates,
    random: seededRandom(options.seed + 3),
  };
  const fanoutQueue = new SimQueue('fanout', clock, queueOptions);
  const bulkQueue = new SimQueue('bulk', clock, queueOptions);
  const queues: CampaignQueues = {
    fanout: (message: FanoutMessage, delaySeconds: number) =>
      fanoutQueue.send(JSON.stringify(message), delaySeconds),
    bulk: async (messages) => {
      for (const message of messages) await bulkQueue.send(JSON.stringify(message));
    },
  };
  const content = { unsubscribeSecret: 'f'.repeat(32), publicBaseUrl: 'https://mail.example.test' };
  const campaignDeps: CampaignDeps = {
    campaigns,
    recipients,
    templates: new DynamoTemplateStore(LOCAL_TABLES.templates.name),
    suppressions,
    queues,
    ledger: { report: async () => {}, current: async () => 0 },
    reputation: { guard: async () => ({ paused: false }), clear: async () => false },
    bulkContent: async () => content,
    sendingDomain: 'example.test',
    defaultFrom: { address: 'hello@example.test' },
    submitMessage: async () => {},
    newId: () => randomUUID(),
    now: clock.date,
  };

  // The list: valid rows, some suppressed, some refused, some named twice; shuffled.
  const valid = Array.from({ length: options.recipients }, (_, i) => ({
    email: `r${i}@example.org`,
    data: { first_name: `R${i}` },
  }));
  const suppressedAddresses = new Set(valid.slice(0, options.suppressed).map((r) => r.email));
  for (const email of suppressedAddresses) {
    await suppressions.put({ email, reason: 'bounce', scope: 'all', createdAt: clock.date().toISOString() });
  }
  const invalid = Array.from({ length: options.invalidRows }, (_, i) =>
    i % 2 === 0
      ? { email: `bad address ${i}@example.org`, data: { first_name: 'X' } }
      : { email: `x${i}@example.org` },
  );
  const duplicates = Array.from({ length: options.duplicateRows }, (_, i) => ({
    email: `R${(i * 7) % options.recipients}@EXAMPLE.org`,
    data: { first_name: 'Again' },
  }));
  const rows = [...valid, ...invalid, ...duplicates].sort(() => random() - 0.5);
  const campaign = await createCampaign({ name: 'fault injection', ...CONTENT }, campaignDeps);
  const upload = { added: 0, duplicates: 0, invalid: 0 };
  for (let i = 0; i < rows.length; i += 1000) {
    const added = await addRecipients(
      campaign.id,
      { json: { recipients: rows.slice(i, i + 1000) } },
      campaignDeps,
    );
    upload.added += added.added;
    upload.duplicates += added.duplicates;
    upload.invalid += added.invalid.length;
  }

  // Everything below runs with the faults on.
  dynamoFaults.throttleRate = options.dynamoWriteThrottle;
  await sendCampaign(campaign.id, {}, campaignDeps);

  const serverErrors = new Set<string>();
  const crashVictims = new Set<string>();
  let crashes = 0;
  // Each container with its own view of the one shared send schedule, as in Lambda.
  const schedules = Array.from(
    { length: options.containers },
    () => new DynamoSendSchedule(LOCAL_TABLES.rateLedger.name),
  );
  const crashRandom = seededRandom(options.seed + 4);

  /** One sender invocation: processBatch + deliverBulk, its collaborators guarded by a crash switch. */
  const senderInvocation = async (
    schedule: DynamoSendSchedule,
    messages: { messageId: string; body: string }[],
  ) => {
    const invocation = new Invocation();
    const holding = new Set<string>();
    const guardedRecipients = invocation.guard(recipients, (method, args, result) => {
      if (method !== 'transition' || !result) return;
      const [, email, from, to] = args as [string, string, string[], string];
      if (to === 'sending') {
        holding.add(email);
        if (crashRandom() < options.crashAfterClaim) invocation.kill();
      } else if (from.includes('sending')) {
        holding.delete(email);
      }
    });
    const guardedCampaigns = invocation.guard(campaigns);
    const guardedMailer = invocation.guard(mailer);
    const requeue: Requeue = invocation.guard({
      requeue: (body: string, delaySeconds: number) => bulkQueue.send(body, delaySeconds),
    });
    const records = messages.map((m) => ({ messageId: m.messageId, body: m.body }) as SQSRecord);
    const response = await processBatch(records, {
      schedule,
      clock,
      requeue,
      currentRate: async () => options.rate,
      lookaheadMs: BULK_LOOKAHEAD_MS,
      deadline: clock.now() + 60_000,
      deliver: (body, slot) =>
        deliverBulk(body, {
          campaign: (id) => guardedCampaigns.get(id),
          campaigns: guardedCampaigns,
          recipients: guardedRecipients,
          mailer: guardedMailer,
          requeue,
          content,
          bulkPaused: async () => false,
          quotaExhausted: async () => false,
          now: clock.date,
          slot,
        }),
      onOutcome: () => {},
      onError: () => {},
      onHoldFailed: () => {},
    });
    if (invocation.dead) {
      // The process died: nothing is deleted, every record comes back after the visibility timeout.
      crashes++;
      for (const email of holding) crashVictims.add(email);
      return;
    }
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    for (const m of messages) if (!failed.has(m.messageId)) bulkQueue.delete(m.messageId);
  };

  const fanoutDeps = {
    campaigns,
    recipients,
    suppressions,
    queues,
    bulkRate: async () => options.rate,
    bulkPaused: async () => false,
    now: clock.date,
  };
  const fanoutInvocation = async (messages: { messageId: string; body: string }[]) => {
    for (const m of messages) {
      try {
        await fanOut(JSON.parse(m.body) as FanoutMessage, fanoutDeps);
        fanoutQueue.delete(m.messageId);
      } catch {
        // Left on the queue: SQS delivers it again after the visibility timeout.
      }
    }
  };

  const startedAt = clock.now();
  let nextTick = startedAt + 60_000;
  let drainedAt: number | undefined;
  for (;;) {
    if (clock.now() - startedAt > 12 * 3600_000)
      throw new Error('the campaign did not settle in 12 virtual hours');
    if (clock.now() >= nextTick) {
      nextTick = clock.now() + 60_000;
      // The one-minute tick: restarts dead chains and recounts quiet campaigns.
      await tick({ campaigns, recipients, queues, now: clock.date }).catch(() => {});
    }
    const work: Promise<void>[] = [];
    const fanoutMessages = fanoutQueue.receive(10);
    if (fanoutMessages.length > 0) work.push(fanoutInvocation(fanoutMessages));
    for (const schedule of schedules) {
      const batch = bulkQueue.receive(10);
      if (batch.length > 0) work.push(senderInvocation(schedule, batch));
    }
    if (work.length > 0) {
      drainedAt = undefined;
      await Promise.all(work);
      continue;
    }
    const next = [fanoutQueue.nextVisibleAt(), bulkQueue.nextVisibleAt()].filter(
      (t): t is number => t !== undefined,
    );
    if (next.length === 0) {
      // Both queues are empty: the campaign is done, or the tick has work left (a dead chain, a
      // recount). Keep ticking for up to an hour of virtual time.
      drainedAt ??= clock.now();
      const status = (await campaigns.get(campaign.id))?.status;
      if (status !== 'sending' || clock.now() - drainedAt > 3600_000) break;
    }
    clock.advanceTo(Math.min(...next, nextTick));
  }

  dynamoFaults.throttleRate = 0;
  const finalCampaign = await campaigns.get(campaign.id);
  if (!finalCampaign) throw new Error('the campaign is gone');
  const all: CampaignRecipient[] = [];
  let cursor: string | undefined;
  do {
    const page = await recipients.page(campaign.id, 1000, cursor);
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);

  const mailed = new Map<string, number>();
  for (const send of ses.sends) {
    const email = (send.to[0] ?? '').toLowerCase();
    if (send.mailed) mailed.set(email, (mailed.get(email) ?? 0) + 1);
    if (send.status >= 500) serverErrors.add(email);
  }
  await ses.stop();
  return {
    campaign: finalCampaign,
    recipients: all,
    mailed,
    sends: ses.sends,
    serverErrors,
    crashVictims,
    suppressedAddresses,
    upload,
    deadLetters: { bulk: bulkQueue.deadLetters, fanout: fanoutQueue.deadLetters },
    crashes,
    duplicatesDelivered: bulkQueue.duplicatesMade + fanoutQueue.duplicatesMade,
    dynamoThrottles: dynamoFaults.injected,
    virtualSeconds: Math.round((clock.now() - startedAt) / 1000),
  };
}
