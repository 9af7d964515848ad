import type { ReputationCounts } from '../../lambdas/feedback/ports';
import { ReputationBuffer } from '../../lambdas/feedback/reputation-buffer';

/** A store that records each add and refuses those to the buckets in `refuse`. */
function store(refuse: Set<string> = new Set()) {
  const adds: [string, Partial<ReputationCounts>][] = [];
  return {
    adds,
    add: async (bucket: string, delta: Partial<ReputationCounts>) => {
      adds.push([bucket, delta]);
      if (refuse.has(bucket)) throw new Error('throttled');
    },
  };
}

describe('ReputationBuffer', () => {
  it('writes each bucket once with the sums of its records, and starts over', async () => {
    const buffer = new ReputationBuffer();
    for (let n = 0; n < 4; n++) await buffer.forRecord(`r${n}`).add('bulk#10', { sent: 1 });
    await buffer.forRecord('r4').add('bulk#10', { bounced: 1 });
    await buffer.forRecord('r5').add('bulk#09', { sent: 2, complained: 1 });
    const sums = store();
    expect(await buffer.flush(sums)).toEqual([]);
    expect(sums.adds).toEqual([
      ['bulk#10', { sent: 4, bounced: 1 }],
      ['bulk#09', { sent: 2, complained: 1 }],
    ]);
    expect(await buffer.flush(sums)).toEqual([]);
    expect(sums.adds).toHaveLength(2);
  });

  it('leaves out the records to be delivered again, and writes no bucket only they added to', async () => {
    const buffer = new ReputationBuffer();
    await buffer.forRecord('a').add('bulk#10', { sent: 1 });
    await buffer.forRecord('b').add('bulk#10', { bounced: 1 });
    await buffer.forRecord('c').add('bulk#09', { sent: 1 });
    const sums = store();
    expect(await buffer.flush(sums, new Set(['b', 'c']))).toEqual([]);
    expect(sums.adds).toEqual([['bulk#10', { sent: 1 }]]);
  });

  it('answers the records of a bucket whose write failed, every bucket tried, no other record', async () => {
    const buffer = new ReputationBuffer();
    await buffer.forRecord('a').add('bulk#10', { sent: 1 });
    await buffer.forRecord('b').add('bulk#09', { sent: 1 });
    await buffer.forRecord('c').add('bulk#10', { sent: 1 });
    const sums = store(new Set(['bulk#10']));
    expect((await buffer.flush(sums)).sort()).toEqual(['a', 'c']);
    expect(sums.adds.map(([bucket]) => bucket).sort()).toEqual(['bulk#09', 'bulk#10']);
  });
});
