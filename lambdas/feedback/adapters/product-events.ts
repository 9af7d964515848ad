import { PublishBatchCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { ProductEvent, ProductEventPublisher } from '../ports';

const SNS_BATCH = 10;

/**
 * Normalized events for product backends, on an SNS topic they subscribe to (an SQS queue, a
 * Lambda, HTTPS). Each message carries a `type` attribute, so a subscriber can filter, e.g. only
 * `suppressed` and `unsubscribed`.
 */
export class SnsProductEvents implements ProductEventPublisher {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish(events: ProductEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += SNS_BATCH) {
      const batch = events.slice(i, i + SNS_BATCH);
      const result = await this.client.send(
        new PublishBatchCommand({
          TopicArn: this.topicArn,
          PublishBatchRequestEntries: batch.map((event, n) => ({
            Id: String(n),
            Message: JSON.stringify(event),
            MessageAttributes: { type: { DataType: 'String', StringValue: event.type } },
          })),
        }),
      );
      if ((result.Failed ?? []).length > 0)
        throw new Error(`SNS refused ${result.Failed?.length} product events`);
    }
  }
}
