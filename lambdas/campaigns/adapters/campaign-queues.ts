import { SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { sqs } from '../../platform/clients/sqs';
import type { BulkMessage, CampaignQueues, FanoutMessage, FanoutQueue } from '../ports';

const SQS_BATCH = 10;

/** The fan-out queue alone: what the api and the scheduler start, restart and cancel chains with. */
export class SqsFanoutQueue implements FanoutQueue {
  constructor(private readonly fanoutUrl: string) {}

  async fanout(message: FanoutMessage, delaySeconds: number): Promise<void> {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: this.fanoutUrl,
        MessageBody: JSON.stringify(message),
        DelaySeconds: delaySeconds,
      }),
    );
  }
}

/** The fan-out's queues: its own, for the next link, and the bulk queue it fills. */
export class SqsCampaignQueues extends SqsFanoutQueue implements CampaignQueues {
  private readonly bulkUrl: string;

  constructor(urls: { fanout: string; bulk: string }) {
    super(urls.fanout);
    this.bulkUrl = urls.bulk;
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
        new SendMessageBatchCommand({ QueueUrl: this.bulkUrl, Entries: entries }),
      );
      const failed = new Set((result.Failed ?? []).map((f) => f.Id));
      entries = entries.filter((entry) => failed.has(entry.Id));
    }
  }
}
