/**
 * (g) The hot items at scale: the shared send schedule (the item every sender books its slots on,
 * in lanes above LANE_RATE), a campaign's items (the campaign item, its content, its counter
 * shards) and the reputation guard's hourly bucket (every bulk mail's Send event adds to it). Drives their real update paths against dynalite, counts writes, refused writes and write
 * units per mail on each item by its key, then scales the hottest item's share to 1,000 and 10,000
 * mails a second against DynamoDB's limit of 1,000 write units a second per partition, which a single
 * item cannot exceed ("each individual partition is limited to 1,000 write units per second",
 * docs.aws.amazon.com/amazondynamodb/latest/developerguide/warm-throughput-scenarios.html; adaptive
 * capacity isolates a hot item on a partition of its own but cannot split it,
 * .../burst-adaptive-capacity.html). Counting, not timing: dynalite on a shared machine cannot
 * come near these rates, and need not. Each rate is run with the design it gets (the schedule's
 * lanes depend on the rate).
 *
 *   node --import tsx bench/scenarios/hot-items.ts --senders 8 --batches 40
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { QUEUES } from '../../contract/queues';
import { createTables, LOCAL_TABLES } from '../../local/resources';
import { startService } from '../support/services';
import { round, runScenario, scenarioArgs, writeResult } from '../support/stats';

/** One item (or a group of like items: the hottest of them is what counts) at one rate. */
export interface ItemAtRate {
  mailsPerSecond: number;
  /** How many items share the load (lanes, shards). */
  items: number;
  /** On the hottest of them, per mail. */
  writesPerMail: number;
  refusedWritesPerMail: number;
  writeUnitsPerMail: number;
  writesPerSecond: number;
  writeUnitsPerSecond: number;
  overLimit: boolean;
  /** How the figure was reached when it is not a plain count (e.g. per-container writes). */
  note?: string;
}

export interface HotItem {
  item: string;
  atRate: ItemAtRate[];
}

export interface HotItemsResult {
  senders: number;
  mails: number;
  items: HotItem[];
  /** Before this design (content in the campaign item, unsharded counters, one schedule item): bench of 2026-11-30 10:52 UTC. */
  before: { item: string; writesPerMail: number; writeUnitsPerMail: number }[];
}

const RATES = [1_000, 10_000];
const PARTITION_WRITE_UNITS = 1_000;
/**
 * Sender containers at a rate, for the writes that come per container rather than per mail (the
 * campaign item's `updatedAt`, at most once a minute per container): a container sends one batch
 * of 10 per SQS receive, SES answer (50–150 ms) and slot span, about 50 mails a second.
 */
const MAILS_PER_CONTAINER = 50;

interface KeyTally {
  writes: number;
  refused: number;
  units: number;
}

type Counted = Map<string, KeyTally>;

interface MiddlewareStack {
  add(
    middleware: (
      next: (args: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>,
      context: { commandName?: string },
    ) => (args: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>,
    options: { step: 'initialize'; name: string },
  ): void;
}

/** Counts every write the client makes by the item it writes: `<table> <key values>`. */
function countByItem(client: { middlewareStack: unknown }, counted: { current: Counted }): void {
  (client.middlewareStack as MiddlewareStack).add(
    (next, context) => async (args) => {
      const operation = (context.commandName ?? '').replace(/Command$/, '');
      if (operation !== 'UpdateItem' && operation !== 'PutItem') return next(args);
      const key = (args.input.Key ?? {
        id: (args.input.Item as Record<string, unknown> | undefined)?.id,
      }) as Record<string, unknown>;
      const name = `${String(args.input.TableName).replace(/^mailroom-/, '')} ${Object.values(key).join('/')}`;
      const into = counted.current.get(name) ?? { writes: 0, refused: 0, units: 0 };
      counted.current.set(name, into);
      args.input.ReturnConsumedCapacity = 'TOTAL';
      try {
        const result = await next(args);
        const consumed = result.output.ConsumedCapacity as { CapacityUnits?: number } | undefined;
        into.writes++;
        into.units += consumed?.CapacityUnits ?? 1;
        return result;
      } catch (error) {
        // A refused conditional write is billed too: 1 unit is its floor.
        into.refused++;
        into.units += 1;
        throw error;
      }
    },
    { step: 'initialize', name: 'benchCountByItem' },
  );
}

/** The hottest of the items whose names match, per mail and scaled to `rate`. */
function atRate(
  counted: Counted,
  match: (name: string) => boolean,
  mails: number,
  rate: number,
  extra?: { writesPerSecond: number; note: string },
): ItemAtRate {
  const items = [...counted.entries()].filter(([name]) => match(name)).map(([, t]) => t);
  const hottest = items.reduce<KeyTally>(
    (best, t) => (t.writes + t.refused > best.writes + best.refused ? t : best),
    { writes: 0, refused: 0, units: 0 },
  );
  const perMail = (hottest.writes + hottest.refused) / mails;
  const unitsPerMail = hottest.units / mails;
  const writesPerSecond = perMail * rate + (extra?.writesPerSecond ?? 0);
  const writeUnitsPerSecond = unitsPerMail * rate + (extra?.writesPerSecond ?? 0);
  return {
    mailsPerSecond: rate,
    items: items.length,
    writesPerMail: round(hottest.writes / mails, 4),
    refusedWritesPerMail: round(hottest.refused / mails, 4),
    writeUnitsPerMail: round(unitsPerMail, 4),
    writesPerSecond: Math.round(writesPerSecond),
    writeUnitsPerSecond: Math.round(writeUnitsPerSecond),
    overLimit: Math.max(writesPerSecond, writeUnitsPerSecond) > PARTITION_WRITE_UNITS,
    ...(extra ? { note: extra.note } : {}),
  };
}

async function main(): Promise<void> {
  const args = scenarioArgs();
  const senders = Number(args.senders ?? 8);
  const batches = Number(args.batches ?? 40);
  const batchSize = QUEUES.bulk.eventSource.batchSize;
  const dynamodb = await startService('dynamodb');
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
  });
  await createTables(new DynamoDBClient({}));
  // Imported now: the client takes the endpoint above.
  const { dynamo } = await import('../../lambdas/platform/clients/dynamo.js');
  const { DynamoSendSchedule } = await import('../../lambdas/sending/adapters/dynamo-send-schedule.js');
  const { LanedSendSchedule, scheduleLanes, slotSpacingMs } = await import(
    '../../lambdas/sending/send-schedule.js'
  );
  const { DynamoCampaignStore } = await import('../../lambdas/campaigns/adapters/campaign-store.js');
  const { COUNTER_SHARDS } = await import('../../lambdas/campaigns/adapters/campaign-parts.js');
  const { CounterBuffer } = await import('../../lambdas/campaigns/counter-buffer.js');
  const { DynamoCampaignEventTotals } = await import('../../lambdas/feedback/adapters/event-records.js');
  const { campaignContent } = await import('../support/api.js');
  const { DynamoDeliverabilityStore, REPUTATION_SHARDS } = await import(
    '../../lambdas/feedback/adapters/deliverability-store.js'
  );
  const { ReputationBuffer } = await import('../../lambdas/feedback/reputation-buffer.js');
  const counted = { current: new Map() as Counted };
  countByItem(dynamo, counted);
  const mails = senders * batches * batchSize;
  const schedule: ItemAtRate[] = [];
  const reputation: ItemAtRate[] = [];
  const campaign: { item: ItemAtRate[]; content: ItemAtRate[]; shards: ItemAtRate[]; index: ItemAtRate[] } = {
    item: [],
    content: [],
    shards: [],
    index: [],
  };

  for (const rate of RATES) {
    // The schedule: `senders` containers each book a batch of 10 slots at a time, all at once, again
    // and again (transactional mail's booking; bulk books min(10, rate × 100 ms) slots a write, the
    // same 10 from 100/s up), on the lanes this rate gets. Refused writes and re-reads are counted.
    counted.current = new Map();
    const lanes = scheduleLanes(rate);
    const spacingMs = slotSpacingMs(rate) * lanes;
    await Promise.all(
      Array.from({ length: senders }, async () => {
        const laned = new LanedSendSchedule((n) => new DynamoSendSchedule(LOCAL_TABLES.rateLedger.name, n));
        for (let b = 0; b < batches; b++) {
          const grant = await laned.reserve({
            count: batchSize,
            spacingMs,
            now: Date.now(),
            latestStart: Number.POSITIVE_INFINITY,
            lanes,
          });
          if (!grant.granted) throw new Error('an unbounded booking was refused');
        }
      }),
    );
    schedule.push(
      atRate(counted.current, (name) => name.startsWith('rate-ledger send-schedule'), mails, rate),
    );

    // A campaign with a 20 KB newsletter, sending: each sender container adds its batch's 10 moves
    // once (sent +1, queued -1 each) through its own store; the events function one sum per batch of
    // 10 events (Send, Delivery, Open per mail; Delivery and Open count); the fan-out moves its
    // cursor and counts `queued` once per page of 100.
    counted.current = new Map();
    const id = `hot${rate}`;
    const now = new Date();
    const creator = new DynamoCampaignStore(LOCAL_TABLES.campaigns.name);
    await creator.create({
      id,
      name: id,
      status: 'sending',
      from: 'a@example.test',
      replyTo: [],
      content: campaignContent(20_000),
      tags: {},
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      fanoutGeneration: 1,
      fanoutDone: false,
      totals: { recipients: mails, queued: 0, sent: 0, failed: 0, suppressed: 0, cancelled: 0 },
      events: { delivered: 0, bounced: 0, complained: 0, opens: 0, clicks: 0 },
    } as unknown as Parameters<typeof creator.create>[0]);
    const fanout = new DynamoCampaignStore(LOCAL_TABLES.campaigns.name);
    let cursor: string | undefined;
    for (let page = 0; page < mails / 100; page++) {
      await fanout.addToTotals(id, { queued: 100 }, new Date());
      const next = `page${page}`;
      await fanout.advanceFanout(id, 1, cursor, { cursor: next, done: false }, new Date());
      cursor = next;
    }
    const containers = Array.from(
      { length: senders },
      () => new DynamoCampaignStore(LOCAL_TABLES.campaigns.name),
    );
    await Promise.all(
      containers.map(async (store) => {
        for (let b = 0; b < batches; b++) {
          const buffer = new CounterBuffer<'sent' | 'queued'>((campaignId, sums) =>
            store.addToTotals(campaignId, sums, new Date()),
          );
          for (let i = 0; i < batchSize; i++) buffer.add(id, { sent: 1, queued: -1 });
          await buffer.flush();
        }
      }),
    );
    const eventTotals = new DynamoCampaignEventTotals(LOCAL_TABLES.campaigns.name);
    const events = ['send', 'delivered', 'opens'] as const;
    for (let first = 0; first < mails * events.length; first += 10) {
      const buffer = new CounterBuffer<'delivered' | 'opens'>((campaignId, sums) =>
        eventTotals.addEvents(campaignId, sums),
      );
      for (let e = first; e < Math.min(first + 10, mails * events.length); e++) {
        const kind = events[e % events.length];
        if (kind === 'delivered' || kind === 'opens') buffer.add(id, { [kind]: 1 });
      }
      await buffer.flush();
    }
    const whole = await creator.get(id);
    if (whole?.totals.sent !== mails || whole.events.delivered !== mails || whole.events.opens !== mails)
      throw new Error(
        `counts went missing: ${JSON.stringify({ totals: whole?.totals, events: whole?.events })}`,
      );

    // The campaign item: the fan-out's writes per mail, and `updatedAt` moved by counts at most once
    // a minute per container (TOUCH_EVERY_MS): rate / MAILS_PER_CONTAINER containers. The bench's
    // own containers moved it once each; those writes are left out of the per-mail figure.
    const item = counted.current.get(`campaigns ${id}`) ?? { writes: 0, refused: 0, units: 0 };
    const touches = senders + 1;
    const touchesPerSecond = rate / MAILS_PER_CONTAINER / 60;
    counted.current.set(`campaigns ${id}`, {
      writes: item.writes - touches,
      refused: item.refused,
      units: item.units - touches,
    });
    const touchNote = `+ ${round(touchesPerSecond, 1)}/s: updatedAt, ≤ 1 a minute per container (${rate / MAILS_PER_CONTAINER} containers)`;
    campaign.item.push(
      atRate(counted.current, (name) => name === `campaigns ${id}`, mails, rate, {
        writesPerSecond: touchesPerSecond,
        note: touchNote,
      }),
    );
    // Written once when the campaign is created, never per mail: no rate to scale it by.
    const content = counted.current.get(`campaigns ${id}#content`) ?? { writes: 0, refused: 0, units: 0 };
    counted.current.delete(`campaigns ${id}#content`);
    campaign.content.push({
      ...atRate(counted.current, () => false, mails, rate),
      items: 1,
      note: `${content.writes} write of ${content.units} units per campaign, at its creation; read once per container`,
    });
    const shardWrites = [...counted.current.entries()]
      .filter(([name]) => name.startsWith(`campaigns ${id}#counters`))
      .reduce((sum, [, t]) => sum + t.writes, 0);
    campaign.shards.push({
      ...atRate(counted.current, (name) => name.startsWith(`campaigns ${id}#counters`), mails, rate),
      note: `all shards ${round(shardWrites / mails, 3)} writes/mail, ${Math.round((shardWrites / mails / COUNTER_SHARDS) * rate)}/s a shard on average; the hottest is this sample's chance`,
    });
    // The status index's `sending` partition: every write that changes the campaign item's summary
    // (its fan-out position, `updatedAt`) writes it again; the parts are not in the index.
    campaign.index.push(
      atRate(counted.current, (name) => name === `campaigns ${id}`, mails, rate, {
        writesPerSecond: touchesPerSecond,
        note: 'one write per write of the campaign item (1 unit: the summary)',
      }),
    );
    const shardCount = campaign.shards.at(-1)?.items ?? 0;
    if (shardCount > COUNTER_SHARDS) throw new Error(`more shards than COUNTER_SHARDS: ${shardCount}`);

    // The reputation guard's bucket for the hour: the events function takes batches of 10 events
    // (Send, Delivery, Open per bulk mail) and adds each batch's Send counts once per bucket
    // (ReputationBuffer), to one of REPUTATION_SHARDS items. Bounces and complaints add to it the
    // same way, rarely. A bucket of its own per rate, so the sums can be checked.
    counted.current = new Map();
    const deliverability = new DynamoDeliverabilityStore(LOCAL_TABLES.deliverability.name);
    const bucket = `bulk#bench-${rate}`;
    for (let first = 0; first < mails * events.length; first += 10) {
      const buffer = new ReputationBuffer();
      for (let e = first; e < Math.min(first + 10, mails * events.length); e++) {
        if (events[e % events.length] === 'send')
          await buffer.forRecord(`event${e}`).add(bucket, { sent: 1 });
      }
      if ((await buffer.flush(deliverability)).length > 0) throw new Error('a reputation write failed');
    }
    const counts = await deliverability.total([bucket]);
    if (counts.sent !== mails) throw new Error(`reputation counts went missing: ${JSON.stringify(counts)}`);
    const bucketWrites = [...counted.current.entries()]
      .filter(([name]) => name.startsWith(`deliverability ${bucket}#`))
      .reduce((sum, [, t]) => sum + t.writes, 0);
    reputation.push({
      ...atRate(counted.current, (name) => name.startsWith(`deliverability ${bucket}#`), mails, rate),
      note: `all shards ${round(bucketWrites / mails, 3)} writes/mail, ${Math.round((bucketWrites / mails / REPUTATION_SHARDS) * rate)}/s a shard on average`,
    });
  }

  await dynamodb.stop();
  writeResult(args.out, {
    senders,
    mails,
    items: [
      { item: 'send schedule (hottest lane; 1 lane up to 4,000/s)', atRate: schedule },
      { item: "campaign item (status, fan-out, the counters' base)", atRate: campaign.item },
      { item: 'campaign content (written once at creation)', atRate: campaign.content },
      { item: `campaign counter shard (hottest of ${COUNTER_SHARDS})`, atRate: campaign.shards },
      { item: 'campaigns index, `sending` partition', atRate: campaign.index },
      { item: `reputation bucket for the hour (hottest of ${REPUTATION_SHARDS})`, atRate: reputation },
    ],
    before: [
      { item: 'send schedule (one item)', writesPerMail: 0.106, writeUnitsPerMail: 0.106 },
      { item: 'campaign item (20 KB content, counters on it)', writesPerMail: 0.4, writeUnitsPerMail: 8.4 },
      // Every bulk Send event added to the hour's one item (process-ses-event.ts before 424cc30).
      { item: 'reputation bucket (one item per hour)', writesPerMail: 1, writeUnitsPerMail: 1 },
    ],
  } satisfies HotItemsResult);
}

runScenario(main);
