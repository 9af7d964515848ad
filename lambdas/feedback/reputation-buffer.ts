import type { ReputationCounts, ReputationStore } from './ports';

/**
 * One batch's reputation counts (bulk mails sent, bounced, complained), added to the guard's hourly
 * buckets once per bucket when the batch ends instead of once per SES event: every bulk mail's Send
 * event used to write the hour's bucket, one item taking every bulk mail (bench (g); the buckets are
 * also sharded, deliverability-store.ts).
 *
 * The invariant: an SES event's counts are added once for each time its record is answered as
 * done. `flush` leaves out the records the batch answers as failed anyway (`skip`: their product
 * events were not published), since SQS delivers those again and they count then; a record whose
 * bucket could not be written is answered as failed (returned), for the same reason, and no other
 * record is; the guard's own failure after the sums are written does not fail the batch (events.ts).
 * What stays: an invocation that dies after `flush` (a crash, a timeout) has its whole batch
 * delivered again, and those counts are added twice, as before this buffer.
 */
export class ReputationBuffer {
  private readonly pending: { recordId: string; bucket: string; delta: Partial<ReputationCounts> }[] = [];

  /** What processSesEvent adds to, for the SQS record `recordId`. */
  forRecord(recordId: string): Pick<ReputationStore, 'add'> {
    return {
      add: async (bucket, delta) => {
        this.pending.push({ recordId, bucket, delta });
      },
    };
  }

  /**
   * Writes each bucket's sums in one add (every bucket tried), leaving out the records in `skip`;
   * answers the records whose bucket's write failed, and starts over.
   */
  async flush(store: Pick<ReputationStore, 'add'>, skip: ReadonlySet<string> = new Set()): Promise<string[]> {
    const byBucket = new Map<string, { sums: Partial<ReputationCounts>; records: Set<string> }>();
    for (const { recordId, bucket, delta } of this.pending.splice(0)) {
      if (skip.has(recordId)) continue;
      const entry = byBucket.get(bucket) ?? { sums: {}, records: new Set<string>() };
      for (const [name, n] of Object.entries(delta) as [keyof ReputationCounts, number | undefined][]) {
        if (n) entry.sums[name] = (entry.sums[name] ?? 0) + n;
      }
      entry.records.add(recordId);
      byBucket.set(bucket, entry);
    }
    const buckets = [...byBucket.values()];
    const results = await Promise.allSettled(
      [...byBucket.entries()].map(([bucket, { sums }]) => store.add(bucket, sums)),
    );
    return [
      ...new Set(
        buckets.flatMap((entry, i) => (results[i]?.status === 'rejected' ? [...entry.records] : [])),
      ),
    ];
  }
}
