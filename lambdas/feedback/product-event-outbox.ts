import type { ProductEvent, ProductEventPublisher } from './ports';

/** SNS PublishBatch takes at most ten messages. */
export const PRODUCT_EVENTS_PER_PUBLISH = 10;

/**
 * One batch's product events, published together when the batch ends instead of one publish per
 * SES event: the events function used to call PublishBatch once per Delivery (one `delivered`
 * each), $0.50 a million mails; now once per batch of 10 SES events, which hold about 3 Deliveries
 * at three events a mail: 0.3 calls a mail, $0.15 (bench (d)).
 *
 * The invariant: every product event an SES event gives is published at least once. An SQS record
 * whose events were not all published is answered as a batch item failure by `flush`, so SQS
 * delivers it again and processSesEvent gives its events again, with the same ids (consumers
 * deduplicate on them), `suppressed` included (process-ses-event.ts finds the entry its first
 * delivery added). A function that dies before `flush` fails its whole batch: the same.
 */
export class ProductEventOutbox {
  private readonly pending: { recordId: string; event: ProductEvent }[] = [];

  /** A publisher that holds the events of the SQS record `recordId` for the next `flush`. */
  forRecord(recordId: string): ProductEventPublisher {
    return {
      publish: async (events) => {
        for (const event of events) this.pending.push({ recordId, event });
      },
    };
  }

  /**
   * Publishes what is held, ten to a call, every call tried; answers the ids of the records that
   * had an event in a call that failed (each once), and starts over.
   */
  async flush(publisher: ProductEventPublisher): Promise<string[]> {
    const all = this.pending.splice(0);
    const chunks: (typeof all)[] = [];
    for (let i = 0; i < all.length; i += PRODUCT_EVENTS_PER_PUBLISH) {
      chunks.push(all.slice(i, i + PRODUCT_EVENTS_PER_PUBLISH));
    }
    const results = await Promise.allSettled(
      chunks.map((chunk) => publisher.publish(chunk.map((e) => e.event))),
    );
    const failed = new Set<string>();
    chunks.forEach((chunk, i) => {
      if (results[i]?.status === 'rejected') for (const { recordId } of chunk) failed.add(recordId);
    });
    return [...failed];
  }
}
