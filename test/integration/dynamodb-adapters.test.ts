import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoIdempotencyStore } from '../../lambdas/emails/adapters/idempotency-store';
import { contentKey, DynamoMessageStore } from '../../lambdas/emails/adapters/message-store';
import type { StoredMessage } from '../../lambdas/emails/message';
import {
  DynamoDeliverabilityStore,
  REPUTATION_SHARDS,
  reputationShardKey,
} from '../../lambdas/feedback/adapters/deliverability-store';
import { DynamoSuppressionList } from '../../lambdas/feedback/adapters/suppression-store';
import { hourBuckets } from '../../lambdas/feedback/reputation-guard';
import { dynamo } from '../../lambdas/platform/clients/dynamo';
import { LOCAL_TABLES } from '../../local/resources';
import { startDynamo } from '../fault/support/dynamo';

let dynamoDb: { stop: () => Promise<void> };
const adapters = {
  messages: new DynamoMessageStore(LOCAL_TABLES.messages.name),
  idempotency: new DynamoIdempotencyStore(LOCAL_TABLES.idempotency.name),
  suppressions: new DynamoSuppressionList(LOCAL_TABLES.suppressions.name),
};
const putSuppression = async (email: string, scope?: string) => {
  await dynamo.send(
    new PutCommand({
      TableName: LOCAL_TABLES.suppressions.name,
      Item: { email, reason: 'test', ...(scope ? { scope } : {}) },
    }),
  );
};

beforeAll(async () => {
  dynamoDb = await startDynamo();
});

afterAll(async () => {
  await dynamoDb.stop();
});

const at = (iso: string) => new Date(iso);
const message = (id: string): StoredMessage => ({
  id,
  stream: 'transactional',
  status: 'queued',
  createdAt: '2026-11-22T10:00:00.000Z',
  updatedAt: '2026-11-22T10:00:00.000Z',
  from: 'hello@acme.test',
  to: ['jane@example.org'],
  cc: [],
  bcc: [],
  replyTo: [],
  subject: 's',
  text: 't',
  headers: [],
  tags: {},
  suppressed: [],
  attempts: 0,
  history: [{ type: 'queued', at: '2026-11-22T10:00:00.000Z' }],
});

describe('DynamoMessageStore', () => {
  it('refuses to create the same id twice', async () => {
    expect(await adapters.messages.create(message('dup'))).toBe(true);
    expect(await adapters.messages.create(message('dup'))).toBe(false);
  });

  it('lets exactly one of many concurrent claims win', async () => {
    await adapters.messages.create(message('race'));
    const results = await Promise.all(
      Array.from({ length: 8 }, () => adapters.messages.claim('race', at('2026-11-22T10:00:01Z'))),
    );
    expect(results.filter((r) => r.claimed)).toHaveLength(1);
    expect(
      results.filter((r) => !r.claimed).every((r) => !r.claimed && r.current?.status === 'sending'),
    ).toBe(true);
  });

  it('moves a claimed message to sent, keeping the history in order', async () => {
    await adapters.messages.create(message('flow'));
    await adapters.messages.claim('flow', at('2026-11-22T10:00:01Z'));
    await adapters.messages.release('flow', 'throttled', at('2026-11-22T10:00:02Z'));
    await adapters.messages.claim('flow', at('2026-11-22T10:00:03Z'));
    await adapters.messages.markSent('flow', 'ses-1', at('2026-11-22T10:00:04Z'));
    const stored = await adapters.messages.get('flow');
    expect(stored).toMatchObject({ status: 'sent', sesMessageId: 'ses-1', attempts: 2 });
    expect(stored?.history.map((e) => e.type)).toEqual(['queued', 'sending', 'throttled', 'sending', 'sent']);
    expect(stored?.claimedAt).toBe('2026-11-22T10:00:03.000Z');
  });

  it('will not mark a message sent that nobody claimed', async () => {
    await adapters.messages.create(message('unclaimed'));
    await expect(
      adapters.messages.markSent('unclaimed', 'ses-x', at('2026-11-22T10:00:01Z')),
    ).rejects.toThrow();
    expect((await adapters.messages.get('unclaimed'))?.status).toBe('queued');
  });

  it('fails a stale claim only if it is still the same claim', async () => {
    await adapters.messages.create(message('stale'));
    const claim = await adapters.messages.claim('stale', at('2026-11-22T10:00:01Z'));
    const claimedAt = claim.claimed ? claim.message.claimedAt : undefined;
    const failure = { code: 'OutcomeUnknown', message: 'x' };
    await expect(
      adapters.messages.markFailed('stale', failure, at('2026-11-22T10:10:00Z'), '2026-01-01T00:00:00.000Z'),
    ).rejects.toThrow();
    await adapters.messages.markFailed('stale', failure, at('2026-11-22T10:10:00Z'), claimedAt);
    expect((await adapters.messages.get('stale'))?.status).toBe('failed');
  });
});

describe('DynamoMessageStore: the content item', () => {
  const rawItem = async (id: string) =>
    (await dynamo.send(new GetCommand({ TableName: LOCAL_TABLES.messages.name, Key: { id } }))).Item;
  const withContent = (id: string): StoredMessage => ({
    ...message(id),
    html: `<p>${'x'.repeat(2_000)}</p>`,
    text: 'your code is 123456',
    headers: [{ name: 'X-Entity-Ref-ID', value: 'otp-1' }],
  });

  it('keeps the content out of the item every status change and event rewrites, and gives it to the claim', async () => {
    const created = withContent('split');
    await adapters.messages.create(created);

    const item = await rawItem('split');
    expect(item).toMatchObject({ id: 'split', status: 'queued', subject: 's' });
    expect(item).not.toHaveProperty('html');
    expect(item).not.toHaveProperty('text');
    expect(item).not.toHaveProperty('headers');
    expect(JSON.stringify(item).length).toBeLessThan(1024);
    // Gzipped in one binary attribute: the 2 KB of HTML fit in one write unit (1 KB).
    const content = await rawItem(contentKey('split'));
    expect(Object.keys(content ?? {}).sort()).toEqual(['gz', 'id']);
    const gz = content?.gz as Uint8Array;
    expect(gz).toBeInstanceOf(Uint8Array);
    expect(gz.byteLength).toBeLessThan(1024 - 100);

    const claim = await adapters.messages.claim('split', at('2026-11-22T10:00:01Z'));
    expect(claim.claimed && claim.message).toMatchObject({
      status: 'sending',
      html: created.html,
      text: created.text,
      headers: created.headers,
    });
  });

  it('gives the claim back when the content cannot be read, so the record can be tried again', async () => {
    await adapters.messages.create(withContent('unreadable'));
    await dynamo.send(
      new DeleteCommand({ TableName: LOCAL_TABLES.messages.name, Key: { id: contentKey('unreadable') } }),
    );

    await expect(adapters.messages.claim('unreadable', at('2026-11-22T10:00:01Z'))).rejects.toThrow(
      /no content item/,
    );
    const stored = await adapters.messages.get('unreadable');
    expect(stored?.status).toBe('queued');
    expect(stored?.claimedAt).toBeUndefined();
    expect(stored?.history.map((e) => e.type)).toEqual(['queued', 'sending', 'content_unreadable']);
  });

  it('stores the same content again for a retried create of the same id, and deletes both items', async () => {
    expect(await adapters.messages.create(withContent('twice'))).toBe(true);
    expect(await adapters.messages.create(withContent('twice'))).toBe(false);
    expect(await rawItem(contentKey('twice'))).toBeDefined();

    await adapters.messages.delete('twice');
    expect(await rawItem('twice')).toBeUndefined();
    expect(await rawItem(contentKey('twice'))).toBeUndefined();
  });
});

describe('DynamoIdempotencyStore', () => {
  const response = { id: 'm1', status: 'queued' as const, suppressed: [] };
  const t0 = at('2026-11-22T10:00:00Z');

  it('claims once, then replays the completed response for the same body', async () => {
    expect(await adapters.idempotency.claim('k1', 'fp', 'm1', t0)).toEqual({
      outcome: 'claimed',
      messageId: 'm1',
    });
    expect(await adapters.idempotency.claim('k1', 'fp', 'm2', t0)).toEqual({ outcome: 'in_progress' });
    await adapters.idempotency.complete('k1', response);
    expect(await adapters.idempotency.claim('k1', 'fp', 'm3', t0)).toEqual({ outcome: 'replay', response });
    expect(await adapters.idempotency.claim('k1', 'other', 'm4', t0)).toEqual({ outcome: 'mismatch' });
  });

  it('frees a key after 24 hours', async () => {
    await adapters.idempotency.claim('k2', 'fp', 'm1', t0);
    await adapters.idempotency.complete('k2', response);
    const nextDay = new Date(t0.getTime() + 24 * 3600 * 1000 + 1000);
    expect(await adapters.idempotency.claim('k2', 'other', 'm9', nextDay)).toEqual({
      outcome: 'claimed',
      messageId: 'm9',
    });
  });

  it('hands an abandoned claim over with its original message id', async () => {
    await adapters.idempotency.claim('k3', 'fp', 'original', t0);
    const later = new Date(t0.getTime() + 5 * 60 * 1000);
    expect(await adapters.idempotency.claim('k3', 'fp', 'new', later)).toEqual({
      outcome: 'claimed',
      messageId: 'original',
    });
  });
});

describe('DynamoSuppressionList', () => {
  it('finds suppressed addresses among more than one BatchGet page, honouring bulk-only entries', async () => {
    await putSuppression('bounced@example.org');
    await putSuppression('unsubscribed@example.org', 'bulk');
    const addresses = [
      ...Array.from({ length: 150 }, (_, i) => `r${i}@example.org`),
      'bounced@example.org',
      'unsubscribed@example.org',
    ];
    expect([...(await adapters.suppressions.suppressedAmong(addresses, 'transactional'))]).toEqual([
      'bounced@example.org',
    ]);
    expect([...(await adapters.suppressions.suppressedAmong(addresses, 'bulk'))].sort()).toEqual([
      'bounced@example.org',
      'unsubscribed@example.org',
    ]);
  });
});

describe('DynamoDeliverabilityStore: the reputation buckets', () => {
  const store = new DynamoDeliverabilityStore(LOCAL_TABLES.deliverability.name);
  const rawItem = async (pk: string) =>
    (await dynamo.send(new GetCommand({ TableName: LOCAL_TABLES.deliverability.name, Key: { pk } }))).Item;

  it('adds to the shard picked, and sums every shard of every bucket asked for', async () => {
    const hours = hourBuckets(at('2026-11-30T10:30:00Z'), 24);
    const [now = '', earlier = '', last = ''] = [hours[0], hours[5], hours[23]];
    await store.add(now, { sent: 10 }, () => 0);
    await store.add(now, { sent: 5, bounced: 1 }, () => 0.99);
    await store.add(earlier, { sent: 7, complained: 2 }, () => 0.5);
    await store.add(last, { sent: 3 }, () => 0.2);
    await store.add(hourBuckets(at('2026-11-29T09:00:00Z'), 1)[0] ?? '', { sent: 1_000, bounced: 900 });

    expect(await rawItem(reputationShardKey(now, 0))).toMatchObject({ sent: 10 });
    expect(await rawItem(reputationShardKey(now, REPUTATION_SHARDS - 1))).toMatchObject({
      sent: 5,
      bounced: 1,
    });
    expect(await rawItem(now)).toBeUndefined();
    // 24 buckets of 8 shards: 192 keys, two BatchGetItem calls.
    expect(await store.total(hours)).toEqual({ sent: 25, bounced: 1, complained: 2 });
  });
});
