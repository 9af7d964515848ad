/**
 * One "Lambda container" in a process of its own: the real sender and fan-out handlers, imported
 * with the environment the parent prepared, driven by local/sqs-event-source.ts. Several of these
 * side by side behave like Lambda's C concurrent containers (each with its own caches, all on the
 * one shared send schedule); one with a poller concurrency of 2 is exactly `npm start`'s sender.
 *
 * IPC: sends `{ready}`; on `{type: 'stop'}` stops polling, waits for running invocations, and
 * answers `{type: 'tally', tally}` with the AWS calls and invocation times it counted.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { FUNCTIONS } from '../../contract/functions';
import { QUEUES } from '../../contract/queues';
import { SqsEventSource, type SqsHandler } from '../../local/sqs-event-source';
import { countCalls, emptyTally, timed } from './aws-calls';

export interface ContainerSource {
  queue: 'transactional' | 'bulk' | 'fanout';
  maxConcurrency: number;
}

async function main(): Promise<void> {
  const sources = JSON.parse(process.argv[2] ?? '[]') as ContainerSource[];
  const tally = emptyTally();
  // Imported only now: the clients are created on import, with the environment the parent gave.
  const { dynamo } = await import('../../lambdas/platform/clients/dynamo.js');
  const { sqs } = await import('../../lambdas/platform/clients/sqs.js');
  const { sesForSending, sesForReading } = await import('../../lambdas/platform/clients/ses.js');
  for (const client of [dynamo, sqs, sesForSending, sesForReading]) countCalls(client, tally);
  // The event source mapping's own receives and deletes: Lambda makes them, the account pays for them.
  const pollerSqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  countCalls(pollerSqs, tally);

  // One root per function and container, as Lambda has one module instance per container: both
  // streams' sources here share one sender (its caches and its recent sends), as in local mode.
  const { functionEnvironment } = await import('../../lambdas/platform/environment.js');
  const { createSender } = await import('../../lambdas/functions/sender/sender.js');
  const { createFanout } = await import('../../lambdas/functions/fanout/fanout.js');
  let sender: SqsHandler | undefined;
  let fanout: SqsHandler | undefined;
  const handlers: Record<ContainerSource['queue'], () => Promise<SqsHandler>> = {
    transactional: async () => (sender ??= createSender(functionEnvironment('sender'))),
    bulk: async () => (sender ??= createSender(functionEnvironment('sender'))),
    fanout: async () => (fanout ??= createFanout(functionEnvironment('fanout'))),
  };
  const env = process.env;
  const queueOf = {
    transactional: { url: env.TRANSACTIONAL_QUEUE_URL ?? '', arn: env.TRANSACTIONAL_QUEUE_ARN ?? '' },
    bulk: { url: env.BULK_QUEUE_URL ?? '', arn: env.BULK_QUEUE_ARN ?? '' },
    fanout: { url: env.FANOUT_QUEUE_URL ?? '', arn: env.FANOUT_QUEUE_ARN ?? '' },
  };
  const running: SqsEventSource[] = [];
  for (const source of sources) {
    const functionName = source.queue === 'fanout' ? 'fanout' : 'sender';
    const eventSource = new SqsEventSource({
      sqs: pollerSqs,
      queueUrl: queueOf[source.queue].url,
      queueArn: queueOf[source.queue].arn,
      handler: timed(functionName, await handlers[source.queue](), tally),
      functionName,
      // As the stack's event source for this queue (the fan-out takes one link per invocation).
      batchSize: QUEUES[source.queue].eventSource.batchSize,
      maxConcurrency: source.maxConcurrency,
      timeoutMs: FUNCTIONS[functionName].timeoutSeconds * 1000,
      region: env.AWS_REGION ?? 'us-east-1',
      onError: (error) => console.error(`bench ${functionName}:`, error),
    });
    eventSource.start();
    running.push(eventSource);
  }

  process.on('message', (message: { type: string }) => {
    if (message.type !== 'stop') return;
    void Promise.all(running.map((s) => s.stop())).then(() => {
      process.send?.({ type: 'tally', tally }, () => process.exit(0));
    });
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.({ type: 'ready' });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
