import { PublishBatchCommand, type PublishBatchRequestEntry } from '@aws-sdk/client-sns';
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDeliverabilityStore } from '../../lambdas/feedback/adapters/deliverability-store';
import { DynamoSuppressionList } from '../../lambdas/feedback/adapters/suppression-store';
import { hourBuckets } from '../../lambdas/feedback/reputation-guard';
import { LOCAL_TABLES } from '../../local/resources';
import { sesEvents, snsEnvelope } from '../unit/fixtures/ses-events';
import { sqsRecord } from '../unit/fixtures/sqs-events';
import { createHandlers, type HandlerWorld, startHandlerWorld } from './support/handler-world';

/**
 * The events function publishes a batch's product events ten to a PublishBatch when the batch ends
 * (lambdas/feedback/product-event-outbox.ts). The invariant under a failed publish: every event is
 * published at least once, with the same id every time. The real events handler against dynalite;
 * SNS mocked, as no emulator fails on cue.
 */
let world: HandlerWorld;
let events: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
let snsMock: ReturnType<typeof mockClient>;
const context = {
  getRemainingTimeInMillis: () => 60_000,
  awsRequestId: 'product-events',
} as unknown as Context;

beforeAll(async () => {
  world = await startHandlerWorld();
  const { sns } =
    require('../../lambdas/platform/clients/sns') as typeof import('../../lambdas/platform/clients/sns');
  snsMock = mockClient(sns);
  events = createHandlers().events;
}, 120_000);

afterAll(async () => {
  snsMock?.restore();
  await world?.stop();
});

/** A transactional Delivery (no campaign, no message of ours) to `n@example.com`, as SQS hands it over. */
function delivery(n: number) {
  const mail = {
    ...sesEvents.Delivery.mail,
    messageId: `ses-${n}`,
    destination: [`r${n}@example.com`],
    tags: {},
  };
  const body = snsEnvelope({
    ...sesEvents.Delivery,
    mail,
    delivery: { ...sesEvents.Delivery.delivery, recipients: [`r${n}@example.com`] },
  });
  return sqsRecord(body, { messageId: `sqs-${n}` });
}

/** SNS accepts every PublishBatch (after what the mock was told to do first). */
function acceptAll(stub = snsMock.on(PublishBatchCommand)) {
  stub.callsFake((input) => ({
    Successful: input.PublishBatchRequestEntries.map((e: PublishBatchRequestEntry) => ({ Id: e.Id })),
    Failed: [],
  }));
}

/** A permanent bounce of SES message `sesMessageId` to `email` (bulk when `stream` says so), as SQS hands it over. */
function bounceOf(
  email: string,
  sesMessageId: string,
  options: { stream?: 'bulk'; at?: string; sqsMessageId?: string } = {},
) {
  const at = options.at ?? sesEvents.Bounce.bounce.timestamp;
  const body = snsEnvelope({
    ...sesEvents.Bounce,
    mail: {
      ...sesEvents.Bounce.mail,
      messageId: sesMessageId,
      timestamp: at,
      tags: options.stream ? { stream: [options.stream] } : {},
    },
    bounce: {
      ...sesEvents.Bounce.bounce,
      timestamp: at,
      bouncedRecipients: [{ ...sesEvents.Bounce.bounce.bouncedRecipients[0], emailAddress: email }],
    },
  });
  return sqsRecord(body, { messageId: options.sqsMessageId ?? `sqs-${sesMessageId}` });
}

/** The product events of every PublishBatch call so far, by call. */
function published(): { id: string; type: string }[][] {
  return snsMock.commandCalls(PublishBatchCommand).map((call) =>
    (call.args[0].input.PublishBatchRequestEntries ?? []).map((entry: PublishBatchRequestEntry) => {
      const event = JSON.parse(entry.Message ?? '{}') as { id: string; type: string };
      return { id: event.id, type: event.type };
    }),
  );
}

describe('product events of a batch, published when it ends', () => {
  beforeEach(() => snsMock.reset());

  it('publishes twelve events in two calls, not twelve', async () => {
    acceptAll();
    const records = Array.from({ length: 12 }, (_, n) => delivery(n));
    const response = await events({ Records: records }, context);
    expect(response.batchItemFailures).toEqual([]);
    const calls = published();
    expect(calls.map((c) => c.length)).toEqual([10, 2]);
    expect(new Set(calls.flat().map((e) => e.type))).toEqual(new Set(['delivered']));
  });

  it('fails the records of a call SNS refused, and their redelivery publishes the same ids', async () => {
    acceptAll(snsMock.on(PublishBatchCommand).rejectsOnce(new Error('SNS unavailable')));
    const records = Array.from({ length: 12 }, (_, n) => delivery(100 + n));
    const response = await events({ Records: records }, context);

    // Both calls were tried; the ten events of the refused one belong to the first ten records.
    const [refused, accepted] = published();
    expect(refused).toHaveLength(10);
    expect(accepted).toHaveLength(2);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(
      records.slice(0, 10).map((r) => r.messageId),
    );

    // SQS delivers those ten again: the same events, with the same ids, go out.
    const again = await events({ Records: records.slice(0, 10) }, context);
    expect(again.batchItemFailures).toEqual([]);
    const retried = published()[2] ?? [];
    expect(retried.map((e) => e.id).sort()).toEqual((refused ?? []).map((e) => e.id).sort());
  });

  it('suppresses a bounced address even when its events cannot be published', async () => {
    snsMock.on(PublishBatchCommand).rejects(new Error('SNS unavailable'));
    const record = bounceOf('gone@example.com', 'ses-bounce', { sqsMessageId: 'sqs-bounce' });
    const response = await events({ Records: [record] }, context);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'sqs-bounce' }]);
    const suppressions = new DynamoSuppressionList(LOCAL_TABLES.suppressions.name);
    expect(await suppressions.get('gone@example.com')).toMatchObject({ reason: 'bounce' });
  });

  it("counts a bulk bounce in the guard's bucket once, though its first delivery failed", async () => {
    const record = bounceOf('lost@example.com', 'ses-bulk-bounce', {
      stream: 'bulk',
      at: '2026-11-30T08:00:01.000Z',
    });
    const reputation = new DynamoDeliverabilityStore(LOCAL_TABLES.deliverability.name);
    const hour = hourBuckets(new Date('2026-11-30T08:30:00Z'), 1);

    snsMock.on(PublishBatchCommand).rejects(new Error('SNS unavailable'));
    expect((await events({ Records: [record] }, context)).batchItemFailures).toHaveLength(1);
    // Its product events were not published, so it is delivered again: not counted yet.
    expect(await reputation.total(hour)).toEqual({ sent: 0, bounced: 0, complained: 0 });

    snsMock.reset();
    acceptAll();
    expect((await events({ Records: [record] }, context)).batchItemFailures).toEqual([]);
    expect(await reputation.total(hour)).toEqual({ sent: 0, bounced: 1, complained: 0 });
  });

  it('tells product backends of a suppression again when its first telling was never published', async () => {
    // Found by review: the redelivered bounce found its suppression already there and said nothing.
    acceptAll(snsMock.on(PublishBatchCommand).rejectsOnce(new Error('SNS unavailable')));
    const record = bounceOf('told@example.com', 'ses-told');
    expect((await events({ Records: [record] }, context)).batchItemFailures).toHaveLength(1);
    expect((await events({ Records: [record] }, context)).batchItemFailures).toEqual([]);
    const [refused = [], again = []] = published();
    expect(again.map((e) => e.type).sort()).toEqual(['bounced', 'suppressed']);
    expect(again.map((e) => e.id).sort()).toEqual(refused.map((e) => e.id).sort());

    // Another event of another mail finds the entry too, and tells nothing new of it.
    snsMock.reset();
    acceptAll();
    await events({ Records: [bounceOf('told@example.com', 'ses-later')] }, context);
    expect((published()[0] ?? []).map((e) => e.type)).toEqual(['bounced']);
  });

  it("counts a bulk send and bounce once when the guard's check fails after the sums were written", async () => {
    // Found by review: the guard's failure threw, and the whole batch came back and counted again.
    acceptAll();
    const mail = {
      ...sesEvents.Send.mail,
      messageId: 'ses-guarded',
      timestamp: '2026-11-30T09:00:00.000Z',
      tags: { stream: ['bulk'] },
    };
    const send = sqsRecord(snsEnvelope({ ...sesEvents.Send, mail }), { messageId: 'sqs-send' });
    const bounce = bounceOf('g@example.com', 'ses-guarded', {
      stream: 'bulk',
      at: '2026-11-30T09:00:01.000Z',
    });
    const { dynamo } =
      require('../../lambdas/platform/clients/dynamo') as typeof import('../../lambdas/platform/clients/dynamo');
    const original = dynamo.send.bind(dynamo);
    const spy = jest.spyOn(dynamo, 'send').mockImplementation(((command: unknown, ...rest: unknown[]) => {
      // The guard's read of its window (the only BatchGetItem of this batch) fails.
      if (command instanceof BatchGetCommand)
        return Promise.reject(new Error('ProvisionedThroughputExceededException'));
      return (original as (...a: unknown[]) => unknown)(command, ...rest);
    }) as typeof dynamo.send);
    try {
      expect((await events({ Records: [send, bounce] }, context)).batchItemFailures).toEqual([]);
    } finally {
      spy.mockRestore();
    }
    const reputation = new DynamoDeliverabilityStore(LOCAL_TABLES.deliverability.name);
    expect(await reputation.total(hourBuckets(new Date('2026-11-30T09:30:00Z'), 1))).toEqual({
      sent: 1,
      bounced: 1,
      complained: 0,
    });
  });
});
