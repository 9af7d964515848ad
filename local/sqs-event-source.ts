import { randomUUID } from 'node:crypto';
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

export interface EventSourceOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  handler: SqsHandler;
  functionName: string;
  /** Records per invocation, as the mapping's BatchSize. */
  batchSize: number;
  /** Invocations at once, as the mapping's ScalingConfig.MaximumConcurrency. */
  maxConcurrency: number;
  /** The function timeout: what getRemainingTimeInMillis counts down from. */
  timeoutMs: number;
  region: string;
  onError?: (error: unknown) => void;
}

/**
 * Stands in for Lambda's SQS event source mapping: up to `maxConcurrency` invocations at once, each
 * with up to `batchSize` records; records named in `batchItemFailures` (or the whole batch, when the
 * handler throws) are left on the queue to come back after the visibility timeout, and the queue's
 * redrive policy moves them to the DLQ after its receive limit, as in AWS. The rest are deleted.
 */
export class SqsEventSource {
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly abort = new AbortController();

  /** @param options what it polls and how; readable, so tests can hold it against the contract. */
  constructor(readonly options: EventSourceOptions) {}

  start(): void {
    this.running = true;
    this.loops = Array.from({ length: this.options.maxConcurrency }, () => this.poll());
  }

  /** Stops receiving and waits for invocations already running to finish. */
  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    await Promise.all(this.loops);
  }

  private async poll(): Promise<void> {
    const { sqs, queueUrl, batchSize } = this.options;
    while (this.running) {
      try {
        const received = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: batchSize,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: this.abort.signal },
        );
        const messages = received.Messages ?? [];
        if (messages.length > 0) await this.invoke(messages);
      } catch (error) {
        if (!this.running) return;
        this.options.onError?.(error);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  private async invoke(messages: Message[]): Promise<void> {
    const records = messages.map((message) => this.toRecord(message));
    let failed = new Set(records.map((r) => r.messageId));
    try {
      const result = await this.options.handler({ Records: records }, this.context());
      failed = new Set((result?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch (error) {
      this.options.onError?.(error);
    }
    const done = messages.filter((m) => m.MessageId && !failed.has(m.MessageId));
    if (done.length === 0) return;
    await this.options.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: this.options.queueUrl,
        Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
      }),
    );
  }

  private toRecord(message: Message): SQSRecord {
    const attributes = message.Attributes ?? {};
    return {
      messageId: message.MessageId ?? randomUUID(),
      receiptHandle: message.ReceiptHandle ?? '',
      body: message.Body ?? '',
      attributes: {
        ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
        SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
        SenderId: attributes.SenderId ?? 'local',
        ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      },
      messageAttributes: Object.fromEntries(
        Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
          name,
          {
            dataType: value.DataType ?? 'String',
            ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
          },
        ]),
      ),
      md5OfBody: message.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: this.options.queueArn,
      awsRegion: this.options.region,
    };
  }

  private context(): Context {
    const deadline = Date.now() + this.options.timeoutMs;
    const name = this.options.functionName;
    return {
      callbackWaitsForEmptyEventLoop: false,
      functionName: name,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:${this.options.region}:000000000000:function:${name}`,
      memoryLimitInMB: '256',
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${name}`,
      logStreamName: 'local',
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => {},
      fail: () => {},
      succeed: () => {},
    };
  }
}
