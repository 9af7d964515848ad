/**
 * (g) The hot items at scale: the shared send schedule (one item every sender books its slots on)
 * and a campaign's item (its counters). Drives their real update paths against dynalite and counts
 * writes, refused writes and write units per mail; then scales those counts to 1,000 and 10,000
 * mails a second against DynamoDB's limit of 1,000 write units a second per partition, which a
 * single item cannot exceed ("each individual partition is limited to 1,000 write units per second",
 * docs.aws.amazon.com/amazondynamodb/latest/developerguide/warm-throughput-scenarios.html; adaptive
 * capacity isolates a hot item on a partition of its own but cannot split it,
 * .../burst-adaptive-capacity.html). Counting, not timing: dynalite on a shared machine cannot
 * come near these rates, and need not.
 *
 *   node --import tsx bench/scenarios/hot-items.ts --senders 8 --batches 40
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { QUEUES } from '../../contract/queues';
import { createTables, LOCAL_TABLES } from '../../local/resources';
import { countCalls, emptyTally, type Tally } from '../support/aws-calls';
import { startService } from '../support/services';
import { round, runScenario, scenarioArgs, writeResult } from '../support/stats';

/** Per mail, on one item. */
export interface ItemLoad {
  item: string;
  writesPerMail: number;
  refusedWritesPerMail: number;
  writeUnitsPerMail: number;
  /** What the item takes at each rate: writes and write units a second (limit 1,000 units). */
  atRate: {
    mailsPerSecond: number;
    writesPerSecond: number;
    writeUnitsPerSecond: number;
    overLimit: boolean;
  }[];
}

export interface HotItemsResult {
  senders: number;
  mails: number;
  items: ItemLoad[];
}

const RATES = [1_000, 10_000];
const PARTITION_WRITE_UNITS = 1_000;

function load(item: string, tally: Tally, operation: string, mails: number): ItemLoad {
  const writes = Object.entries(tally.calls)
    .filter(([call]) => call === `DynamoDB.${operation}`)
    .reduce((sum, [, n]) => sum + n, 0);
  const refused = tally.unitsByCall[`DynamoDB.${operation} (refused)`] ?? 0;
  const perMail = writes / mails;
  const unitsPerMail = tally.writeUnits / mails;
  return {
    item,
    writesPerMail: round(perMail, 3),
    refusedWritesPerMail: round(refused / mails, 3),
    writeUnitsPerMail: round(unitsPerMail, 3),
    atRate: RATES.map((rate) => ({
      mailsPerSecond: rate,
      writesPerSecond: Math.round(perMail * rate),
      writeUnitsPerSecond: Math.round(unitsPerMail * rate),
      overLimit: unitsPerMail * rate > PARTITION_WRITE_UNITS,
    })),
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
  const { DynamoCampaignStore } = await import('../../lambdas/campaigns/adapters/campaign-store.js');
  const { CounterBuffer } = await import('../../lambdas/campaigns/counter-buffer.js');
  const { DynamoCampaignEventTotals } = await import('../../lambdas/feedback/adapters/event-records.js');
  const { slotSpacingMs } = await import('../../lambdas/sending/send-schedule.js');
  const { campaignContent } = await import('../support/api.js');
  const tally = emptyTally();
  countCalls(dynamo, tally);
  const mails = senders * batches * batchSize;

  // The schedule: `senders` containers book a batch of 10 slots each, all at once, again and again
  // (transactional mail's booking; bulk mail books min(10, rate × 100 ms) slots a write, the same
  // 10 from 100/s up). Every booking races the others: refused writes and re-reads are counted.
  const spacingMs = slotSpacingMs(10_000);
  await Promise.all(
    Array.from({ length: senders }, async () => {
      const schedule = new DynamoSendSchedule(LOCAL_TABLES.rateLedger.name);
      for (let b = 0; b < batches; b++) {
        const grant = await schedule.reserve({
          count: batchSize,
          spacingMs,
          now: Date.now(),
          latestStart: Number.POSITIVE_INFINITY,
        });
        if (!grant.granted) throw new Error('an unbounded booking was refused');
      }
    }),
  );
  const schedule = load('send schedule (1 item, all senders)', structuredClone(tally), 'UpdateItem', mails);

  // A campaign's item, with a 20 KB newsletter: each sender batch adds its 10 moves once
  // (sent +1, queued -1 each), and the events function one sum per batch of 10 events (Delivery and
  // Open count, Send does not: 2 of every 3 events of a mail).
  const campaigns = new DynamoCampaignStore(LOCAL_TABLES.campaigns.name);
  const now = new Date();
  await campaigns.create({
    id: 'hot',
    name: 'hot',
    status: 'sending',
    from: 'a@example.test',
    replyTo: [],
    content: campaignContent(20_000),
    tags: {},
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    fanoutGeneration: 1,
    fanoutDone: true,
    totals: { recipients: mails, pending: 0, queued: mails, sent: 0, failed: 0, suppressed: 0, cancelled: 0 },
    events: { delivered: 0, bounced: 0, complained: 0, opened: 0, clicked: 0 },
  } as unknown as Parameters<typeof campaigns.create>[0]);
  const before = structuredClone(tally);
  const senderBatches = mails / batchSize;
  for (let b = 0; b < senderBatches; b++) {
    const buffer = new CounterBuffer<'sent' | 'queued'>((id, sums) =>
      campaigns.addToTotals(id, sums, new Date()),
    );
    for (let i = 0; i < batchSize; i++) buffer.add('hot', { sent: 1, queued: -1 });
    await buffer.flush();
  }
  const eventTotals = new DynamoCampaignEventTotals(LOCAL_TABLES.campaigns.name);
  const events = ['send', 'delivered', 'opened'] as const;
  for (let first = 0; first < mails * events.length; first += 10) {
    const buffer = new CounterBuffer<'delivered' | 'opened'>((id, sums) => eventTotals.addEvents(id, sums));
    for (let e = first; e < Math.min(first + 10, mails * events.length); e++) {
      const kind = events[e % events.length];
      if (kind === 'delivered' || kind === 'opened') buffer.add('hot', { [kind]: 1 });
    }
    await buffer.flush();
  }
  const counted = {
    ...tally,
    calls: {
      'DynamoDB.UpdateItem':
        (tally.calls['DynamoDB.UpdateItem'] ?? 0) - (before.calls['DynamoDB.UpdateItem'] ?? 0),
    },
    writeUnits: tally.writeUnits - before.writeUnits,
    unitsByCall: {},
  };
  const campaign = load(
    "a campaign's item (20 KB newsletter; sender and events, per batch)",
    counted,
    'UpdateItem',
    mails,
  );

  await dynamodb.stop();
  writeResult(args.out, { senders, mails, items: [schedule, campaign] } satisfies HotItemsResult);
}

runScenario(main);
