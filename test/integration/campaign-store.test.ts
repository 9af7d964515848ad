import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { COUNTER_SHARDS, contentId, counterShardId } from '../../lambdas/campaigns/adapters/campaign-parts';
import { DynamoCampaignStore, TOUCH_EVERY_MS } from '../../lambdas/campaigns/adapters/campaign-store';
import {
  type Campaign,
  emptyEventTotals,
  emptyTotals,
  QUIET_AFTER_MS,
} from '../../lambdas/campaigns/campaign';
import { DynamoCampaignEventTotals } from '../../lambdas/feedback/adapters/event-records';
import { dynamo } from '../../lambdas/platform/clients/dynamo';
import { LOCAL_TABLES } from '../../local/resources';
import { startDynamo } from '../fault/support/dynamo';

/**
 * The campaign store on dynalite: the content kept out of the item the counters update, and the
 * counters sharded (campaign-parts.ts), with every campaign it returns still whole.
 */
const TABLE = LOCAL_TABLES.campaigns.name;
let dynamoDb: { stop: () => Promise<void> };

beforeAll(async () => {
  dynamoDb = await startDynamo();
});

afterAll(async () => {
  await dynamoDb.stop();
});

const T0 = new Date('2026-11-30T12:00:00.000Z');
const later = (ms: number) => new Date(T0.getTime() + ms);
const NEWSLETTER = { subject: 'News for {{first_name}}', html: `<p>${'x'.repeat(20_000)}</p>`, text: 'news' };

function campaign(id: string, status: Campaign['status'] = 'sending'): Campaign {
  return {
    id,
    name: id,
    status,
    from: 'news@acme.test',
    replyTo: [],
    content: NEWSLETTER,
    tags: {},
    createdAt: T0.toISOString(),
    updatedAt: T0.toISOString(),
    fanoutGeneration: 1,
    fanoutDone: true,
    totals: { ...emptyTotals(), recipients: 100, queued: 100 },
    events: emptyEventTotals(),
  };
}

const raw = async (id: string) =>
  (await dynamo.send(new GetCommand({ TableName: TABLE, Key: { id }, ConsistentRead: true }))).Item;

describe('DynamoCampaignStore: content apart, counters sharded', () => {
  it('keeps the content out of the campaign item and gives it back whole', async () => {
    const store = new DynamoCampaignStore(TABLE);
    await store.create(campaign('apart'));

    const item = await raw('apart');
    expect(item).toBeDefined();
    expect(item?.content).toBeUndefined();
    // The item the counters' base and the fan-out write is small: well under one write unit's 1 KB.
    expect(Buffer.byteLength(JSON.stringify(item))).toBeLessThan(1024);
    expect((await raw(contentId('apart')))?.content).toEqual(NEWSLETTER);
    // Another container (no cache) reads it whole.
    expect(await new DynamoCampaignStore(TABLE).get('apart')).toEqual(campaign('apart'));
  });

  it('counts every one of many concurrent writers exactly once, spread over the shards', async () => {
    const store = new DynamoCampaignStore(TABLE);
    await store.create(campaign('many'));
    const senders = Array.from({ length: 8 }, () => new DynamoCampaignStore(TABLE));
    const events = new DynamoCampaignEventTotals(TABLE);

    await Promise.all([
      ...Array.from({ length: 40 }, (_, i) =>
        (senders[i % senders.length] as DynamoCampaignStore).addToTotals(
          'many',
          { sent: 2, queued: -2 },
          later(i),
        ),
      ),
      ...Array.from({ length: 30 }, () => events.addEvents('many', { delivered: 1, opens: 2 })),
    ]);

    const whole = await new DynamoCampaignStore(TABLE).get('many');
    expect(whole?.totals).toEqual({ ...emptyTotals(), recipients: 100, queued: 20, sent: 80 });
    expect(whole?.events).toMatchObject({ delivered: 30, opens: 60 });
    const written = await Promise.all(
      Array.from({ length: COUNTER_SHARDS }, (_, n) => raw(counterShardId('many', n))),
    );
    expect(written.filter(Boolean).length).toBeGreaterThan(1);
    // The campaign item's own counters are untouched: the shards carry every count.
    expect((await raw('many'))?.totals).toEqual({ ...emptyTotals(), recipients: 100, queued: 100 });
  });

  it('counts into the chosen shard, and sums a shard written twice', async () => {
    const store = new DynamoCampaignStore(TABLE, () => 0.99);
    await store.create(campaign('pinned'));
    await store.addToTotals('pinned', { sent: 1, queued: -1 }, T0);
    await store.addToTotals('pinned', { failed: 1, queued: -1 }, T0);

    expect(await raw(counterShardId('pinned', COUNTER_SHARDS - 1))).toMatchObject({
      t_sent: 1,
      t_failed: 1,
      t_queued: -2,
    });
    expect((await store.get('pinned'))?.totals).toMatchObject({ queued: 98, sent: 1, failed: 1 });
  });

  it('refuses a count for a campaign that does not exist, adding nothing', async () => {
    const store = new DynamoCampaignStore(TABLE, () => 0);
    await expect(store.addToTotals('ghost', { sent: 1 }, T0)).rejects.toThrow();
    expect(await raw(counterShardId('ghost', 0))).toBeUndefined();
  });

  it('makes a recount the counters, whatever the shards hold, and keeps counts added after it', async () => {
    const store = new DynamoCampaignStore(TABLE);
    await store.create(campaign('recount'));
    for (let i = 0; i < 12; i++) await store.addToTotals('recount', { sent: 1, queued: -1 }, T0);
    // The records say otherwise (a sender died between moving recipients and counting them).
    const truth = { ...emptyTotals(), recipients: 100, queued: 85, sent: 15 };

    const recounted = await store.recount('recount', 'sending', truth, undefined, later(1));
    expect(recounted?.totals).toEqual(truth);
    expect((await store.get('recount'))?.totals).toEqual(truth);

    await store.addToTotals('recount', { sent: 1, queued: -1 }, later(2));
    expect((await store.get('recount'))?.totals).toEqual({ ...truth, queued: 84, sent: 16 });
  });

  it('moves updatedAt with counts at most once per TOUCH_EVERY_MS per container, well within the quiet period', async () => {
    expect(TOUCH_EVERY_MS * 2).toBeLessThanOrEqual(QUIET_AFTER_MS);
    const store = new DynamoCampaignStore(TABLE);
    await store.create(campaign('touch'));

    await store.addToTotals('touch', { sent: 1 }, later(1_000));
    expect((await raw('touch'))?.updatedAt).toBe(later(1_000).toISOString());
    await store.addToTotals('touch', { sent: 1 }, later(1_000 + TOUCH_EVERY_MS - 1));
    expect((await raw('touch'))?.updatedAt).toBe(later(1_000).toISOString());
    await store.addToTotals('touch', { sent: 1 }, later(1_000 + TOUCH_EVERY_MS));
    expect((await raw('touch'))?.updatedAt).toBe(later(1_000 + TOUCH_EVERY_MS).toISOString());
    // Another container moves it on its own first count.
    await new DynamoCampaignStore(TABLE).addToTotals('touch', { sent: 1 }, later(1_000 + TOUCH_EVERY_MS + 5));
    expect((await raw('touch'))?.updatedAt).toBe(later(1_000 + TOUCH_EVERY_MS + 5).toISOString());
    expect((await store.get('touch'))?.totals.sent).toBe(4);
  });

  it('a count after a recount always marks the campaign changed since it', async () => {
    const store = new DynamoCampaignStore(TABLE);
    await store.create(campaign('after-recount'));
    await store.addToTotals('after-recount', { sent: 1, queued: -1 }, T0);
    // The tick recounts only once the campaign has been quiet for QUIET_AFTER_MS.
    const recountAt = later(QUIET_AFTER_MS + 1);
    const truth = { ...emptyTotals(), recipients: 100, queued: 99, sent: 1 };
    await store.recount('after-recount', 'sending', truth, undefined, recountAt);

    await store.addToTotals('after-recount', { sent: 1, queued: -1 }, later(QUIET_AFTER_MS + 2));
    const item = await raw('after-recount');
    expect(item?.updatedAt > item?.reconciledAt).toBe(true);
  });

  it('gives summaries with the shards added, and the sender its campaign without counters', async () => {
    const store = new DynamoCampaignStore(TABLE);
    await store.create(campaign('summary', 'paused'));
    await store.addToTotals('summary', { queued: -3 }, T0);

    const summaries = await store.inStatus('paused');
    expect(summaries.find((s) => s.id === 'summary')?.totals.queued).toBe(97);
    const sendable = await new DynamoCampaignStore(TABLE).sendable('summary');
    expect(sendable?.content).toEqual(NEWSLETTER);
    expect(sendable).not.toHaveProperty('totals');
    expect(sendable).not.toHaveProperty('events');
  });

  it('never takes a part for a campaign', async () => {
    const store = new DynamoCampaignStore(TABLE);
    await store.create(campaign('parts'));
    await store.addToTotals('parts', { sent: 1 }, T0);

    expect(await store.get(contentId('parts'))).toBeUndefined();
    expect(await store.sendable(counterShardId('parts', 0))).toBeUndefined();
  });

  it('lists campaigns only, each once, page by page', async () => {
    const store = new DynamoCampaignStore(TABLE);
    const ids = Array.from({ length: 7 }, (_, i) => `listed${i}`);
    for (const id of ids) {
      await store.create(campaign(id, 'draft'));
      await store.addToTotals(id, { recipients: 1 }, T0);
    }

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await new DynamoCampaignStore(TABLE).list(3, cursor);
      expect(page.items.length).toBeLessThanOrEqual(3);
      for (const item of page.items) {
        expect(item.id).not.toContain('#');
        expect(item.content).toEqual(NEWSLETTER);
        seen.push(item.id);
      }
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== undefined && pages < 50);

    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(ids));
    const listed = (await store.list(100)).items.find((c) => c.id === 'listed3');
    expect(listed?.totals.recipients).toBe(101);
  });
});

describe('DynamoCampaignStore: edits (invariant 5)', () => {
  const edit = (content: Campaign['content'], name = 'edited') => ({
    name,
    from: 'news@acme.test',
    replyTo: [],
    content,
    tags: { kind: 'news' },
  });
  const EDITED = { subject: 'Edited {{first_name}}', text: 'edited' };
  /** An upload registered with a 30 s lease, its rows checked against `revision`. */
  const register = (store: DynamoCampaignStore, id: string, revision: string | undefined, at: Date) => {
    const leaseEnd = new Date(at.getTime() + 30_000);
    return store.registerUpload(id, `u|${leaseEnd.toISOString()}`, leaseEnd, ['draft'], revision, at);
  };

  it('writes each revision to a part of its own, deletes the one before, and no container serves a stale copy', async () => {
    const editor = new DynamoCampaignStore(TABLE);
    const reader = new DynamoCampaignStore(TABLE);
    await editor.create(campaign('edited', 'draft'));
    // Another container has the content cached.
    expect((await reader.get('edited'))?.content).toEqual(NEWSLETTER);

    const edited = await editor.edit('edited', edit(EDITED), {}, 'r1', ['draft', 'scheduled'], later(1));
    expect(edited).toMatchObject({
      name: 'edited',
      content: EDITED,
      contentRevision: 'r1',
      tags: { kind: 'news' },
    });
    expect(await raw(contentId('edited'))).toBeUndefined();
    expect((await raw(contentId('edited', 'r1')))?.content).toEqual(EDITED);
    expect((await raw('edited'))?.content).toBeUndefined();
    expect((await reader.get('edited'))?.content).toEqual(EDITED);
    expect((await new DynamoCampaignStore(TABLE).sendable('edited'))?.content).toEqual(EDITED);
  });

  it('refuses an edit from a revision that is no longer current, of a started campaign, or while the fence holds', async () => {
    const store = new DynamoCampaignStore(TABLE);
    await store.create(campaign('guarded', 'draft'));
    expect(await store.edit('guarded', edit(EDITED), {}, 'a', ['draft'], later(1))).toBeDefined();
    // Another edit also read the campaign before `a`: refused, and its part is never named.
    expect(
      await store.edit('guarded', edit(NEWSLETTER, 'lost'), {}, 'b', ['draft'], later(2)),
    ).toBeUndefined();
    expect((await store.get('guarded'))?.name).toBe('edited');

    const registered = await register(store, 'guarded', 'a', later(3));
    expect(registered).toBeDefined();
    const seen = { contentRevision: 'a', uploadRegistrations: registered?.uploadRegistrations };
    expect(await store.edit('guarded', edit(NEWSLETTER), seen, 'c', ['draft'], later(4))).toBeUndefined();
    // Read before the upload registered: refused even once its lease has run out, or it released
    // (its rows were written after that read, and the edit's check may have missed them).
    const before = { contentRevision: 'a' };
    expect(
      await store.edit('guarded', edit(NEWSLETTER), before, 'c', ['draft'], later(31_000)),
    ).toBeUndefined();
    // Read after: the lease ran out, the fence no longer holds.
    expect(await store.edit('guarded', edit(NEWSLETTER), seen, 'c', ['draft'], later(31_000))).toBeDefined();

    await store.create(campaign('started', 'sending'));
    expect(
      await store.edit('started', edit(EDITED), {}, 'x', ['draft', 'scheduled'], later(1)),
    ).toBeUndefined();
    expect((await store.get('started'))?.content).toEqual(NEWSLETTER);
  });

  it('takes a write the SDK sent again after its first attempt took effect as done, not refused', async () => {
    const store = new DynamoCampaignStore(TABLE);
    await store.create(campaign('retried', 'draft'));
    expect(await store.edit('retried', edit(EDITED), {}, 'r1', ['draft'], later(1))).toBeDefined();
    // The same write again (its condition now fails): the item names its revision.
    expect(await store.edit('retried', edit(EDITED), {}, 'r1', ['draft'], later(1))).toMatchObject({
      contentRevision: 'r1',
      content: EDITED,
    });
    // Another edit from the same old revision is still refused.
    expect(await store.edit('retried', edit(NEWSLETTER), {}, 'r2', ['draft'], later(2))).toBeUndefined();
  });

  it('refuses an upload registration checked against a revision that is no longer current', async () => {
    const store = new DynamoCampaignStore(TABLE);
    await store.create(campaign('revised', 'draft'));
    await store.edit('revised', edit(EDITED), {}, 'r1', ['draft'], later(1));
    expect(await register(store, 'revised', undefined, later(2))).toBeUndefined();
    expect(await register(store, 'revised', 'r1', later(2))).toBeDefined();
  });
});
