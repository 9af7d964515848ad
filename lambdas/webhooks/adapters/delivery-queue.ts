import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { sqs } from '../../platform/clients/sqs';
import { MAX_QUEUE_DELAY_SECONDS } from '../../sending/retry';
import type { DeliveryMessage, DeliveryQueue } from '../ports';

/**
 * Deliveries on the webhooks queue. SQS delays a message at most 900 s (SendMessage DelaySeconds:
 * "Valid values: 0 to 900. Maximum: 15 minutes.", SQS API reference,
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html), so a
 * longer wait (30 min … 10 h) is a message with `notBefore` that goes round in 15-minute steps until
 * it is due (deliver's `waiting`).
 */
export class SqsDeliveryQueue implements DeliveryQueue {
  constructor(private readonly queueUrl: string) {}

  async enqueue(message: DeliveryMessage, delaySeconds: number): Promise<void> {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(message),
        DelaySeconds: Math.max(0, Math.min(MAX_QUEUE_DELAY_SECONDS, delaySeconds)),
      }),
    );
  }
}
