import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { OLDEST_MESSAGE_ALARM_MINUTES } from '../../../contract/alarms';
import { sqs } from '../../platform/clients/sqs';
import { MAX_QUEUE_DELAY_SECONDS } from '../../sending/retry';
import type { DeliveryMessage, DeliveryQueue } from '../ports';

/**
 * The longest delay the webhooks queue puts on one message: half the OldestMessage alarm's default
 * age, not SQS's 900 s. If SQS counts a message's age from when it was sent, one that waited out a
 * 900 s delay is already 15 minutes old when it becomes visible, at that alarm's threshold, and a
 * routine retry must not page anyone (not measured in AWS: this costs only a few more rounds).
 */
export const LONGEST_ROUND_SECONDS = Math.min(
  MAX_QUEUE_DELAY_SECONDS,
  (OLDEST_MESSAGE_ALARM_MINUTES * 60) / 2,
);

/**
 * Deliveries on the webhooks queue. SQS delays a message at most 900 s (SendMessage DelaySeconds:
 * "Valid values: 0 to 900. Maximum: 15 minutes.", SQS API reference,
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html), so a
 * longer wait (30 min … 10 h) is a message with `notBefore` that goes round in steps until it is
 * due (deliver's `waiting`), each step at most LONGEST_ROUND_SECONDS.
 */
export class SqsDeliveryQueue implements DeliveryQueue {
  constructor(private readonly queueUrl: string) {}

  async enqueue(message: DeliveryMessage, delaySeconds: number): Promise<void> {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(message),
        DelaySeconds: Math.max(0, Math.min(LONGEST_ROUND_SECONDS, Math.ceil(delaySeconds))),
      }),
    );
  }
}
