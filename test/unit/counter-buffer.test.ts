import { CounterBuffer } from '../../lambdas/campaigns/counter-buffer';

describe('CounterBuffer', () => {
  it("writes each campaign's sums once per flush, leaving out counters and campaigns that came to zero", async () => {
    const writes: [string, Record<string, number>][] = [];
    const buffer = new CounterBuffer<'sent' | 'queued' | 'failed'>(async (id, sums) => {
      writes.push([id, { ...sums } as Record<string, number>]);
    });

    buffer.add('c1', { sent: 1, queued: -1 });
    buffer.add('c2', { failed: 1, queued: -1 });
    buffer.add('c1', { sent: 1, queued: -1, failed: 0 });
    buffer.add('c3', { queued: -1 });
    buffer.add('c3', { queued: 1 });
    await buffer.flush();

    expect(writes).toEqual([
      ['c1', { sent: 2, queued: -2 }],
      ['c2', { failed: 1, queued: -1 }],
    ]);
  });

  it('starts over after a flush: nothing is written twice', async () => {
    const writes: string[] = [];
    const buffer = new CounterBuffer<'sent'>(async (id) => {
      writes.push(id);
    });
    buffer.add('c1', { sent: 1 });

    await buffer.flush();
    await buffer.flush();

    expect(writes).toEqual(['c1']);
  });

  it("tries every campaign's write when one fails, then throws naming the failed one", async () => {
    const writes: string[] = [];
    const buffer = new CounterBuffer<'sent'>(async (id) => {
      if (id === 'c1') throw new Error('ProvisionedThroughputExceededException');
      writes.push(id);
    });
    buffer.add('c1', { sent: 1 });
    buffer.add('c2', { sent: 2 });
    buffer.add('c3', { sent: 3 });

    await expect(buffer.flush()).rejects.toThrow('could not add the counts of campaigns c1');

    expect(writes).toEqual(['c2', 'c3']);
  });
});
