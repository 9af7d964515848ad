import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { sqs } from '../../platform/clients/sqs';
import type { Requeue } from '../../sending/ports';
import type { SendQueue } from '../ports';

/** The queue the sender drains. Messages carry only the id; the mail itself is in DynamoDB. */
export class SqsSendQueue implements SendQueue, Requeue {
  constructor(private readonly queueUrl: string) {}

  async enqueue(messageId: string): Promise<void> {
    await this.requeue(JSON.stringify({ messageId }), 0);
  }

  async requeue(body: string, delaySeconds: number): Promise<void> {
    await sqs.send(
      new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: body, DelaySeconds: delaySeconds }),
    );
  }
}
