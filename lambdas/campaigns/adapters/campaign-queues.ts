import { SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { sqs } from '../../platform/aws-clients';
import type { BulkMessage, CampaignQueues, FanoutMessage } from '../ports';

const SQS_BATCH = 10;

/** The fan-out and bulk queues. */
export class SqsCampaignQueues implements CampaignQueues {
  constructor(private readonly urls: { fanout: string; bulk: string }) {}

  async fanout(message: FanoutMessage, delaySeconds: number): Promise<void> {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: this.urls.fanout,
        MessageBody: JSON.stringify(message),
        DelaySeconds: delaySeconds,
      }),
    );
  }

  async bulk(messages: BulkMessage[]): Promise<void> {
    const batches: BulkMessage[][] = [];
    for (let i = 0; i < messages.length; i += SQS_BATCH) batches.push(messages.slice(i, i + SQS_BATCH));
    await Promise.all(batches.map((batch) => this.sendBatch(batch)));
  }

  /** A batch can half-succeed: the failed entries are sent once more, then it is an error. */
  private async sendBatch(batch: BulkMessage[]): Promise<void> {
    let entries = batch.map((message, i) => ({ Id: String(i), MessageBody: JSON.stringify(message) }));
    for (let attempt = 0; entries.length > 0; attempt++) {
      if (attempt === 2) throw new Error(`SQS refused ${entries.length} bulk messages twice`);
      const result = await sqs.send(
        new SendMessageBatchCommand({ QueueUrl: this.urls.bulk, Entries: entries }),
      );
      const failed = new Set((result.Failed ?? []).map((f) => f.Id));
      entries = entries.filter((entry) => failed.has(entry.Id));
    }
  }
}
