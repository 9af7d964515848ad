import type { ProductEvent } from '../../lambdas/feedback/ports';
import { PRODUCT_EVENTS_PER_PUBLISH, ProductEventOutbox } from '../../lambdas/feedback/product-event-outbox';

const event = (n: number): ProductEvent => ({
  id: `e${n}`,
  type: 'delivered',
  email: `r${n}@example.com`,
  at: '2026-11-30T10:00:00.000Z',
  sesMessageId: `ses-${n}`,
});

/** A publisher that records each call and refuses the calls whose index is in `refuse`. */
function publisher(refuse: Set<number> = new Set()) {
  const calls: string[][] = [];
  return {
    calls,
    publish: async (events: ProductEvent[]) => {
      calls.push(events.map((e) => e.id));
      if (refuse.has(calls.length - 1)) throw new Error('SNS unavailable');
    },
  };
}

describe('ProductEventOutbox', () => {
  it('publishes what its records held, ten to a call, in order, and starts over', async () => {
    const outbox = new ProductEventOutbox();
    for (let n = 0; n < 23; n++) await outbox.forRecord(`r${n}`).publish([event(n)]);
    const sns = publisher();
    expect(await outbox.flush(sns)).toEqual([]);
    expect(sns.calls.map((c) => c.length)).toEqual([
      PRODUCT_EVENTS_PER_PUBLISH,
      PRODUCT_EVENTS_PER_PUBLISH,
      3,
    ]);
    expect(sns.calls.flat()).toEqual(Array.from({ length: 23 }, (_, n) => `e${n}`));
    expect(await outbox.flush(sns)).toEqual([]);
    expect(sns.calls).toHaveLength(3);
  });

  it('answers each record with an event in a refused call, once, and no other record', async () => {
    const outbox = new ProductEventOutbox();
    // r0 gives 2 events, r1 none, r2..r10 one each, r11 two: calls [r0 r0 r2..r9] and [r10 r11 r11].
    await outbox.forRecord('r0').publish([event(0), event(100)]);
    await outbox.forRecord('r1').publish([]);
    for (let n = 2; n <= 10; n++) await outbox.forRecord(`r${n}`).publish([event(n)]);
    await outbox.forRecord('r11').publish([event(11), event(111)]);
    const sns = publisher(new Set([1]));
    expect(await outbox.flush(sns)).toEqual(['r10', 'r11']);
    expect(sns.calls.map((c) => c.length)).toEqual([10, 3]);
    expect(sns.calls[1]).toEqual(['e10', 'e11', 'e111']);
  });

  it('publishes nothing for a batch without product events', async () => {
    const sns = publisher();
    expect(await new ProductEventOutbox().flush(sns)).toEqual([]);
    expect(sns.calls).toEqual([]);
  });
});
