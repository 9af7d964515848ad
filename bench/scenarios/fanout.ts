/**
 * (c) Fan-out: a campaign of --recipients (100,000 by default) is added through the API in calls of
 * 1,000, then sent; the real fan-out handler, in a Lambda container, pages through the list and
 * puts every recipient on the bulk queue. No sender runs: this measures the fan-out alone.
 *
 * MAX_SEND_RATE is set very high for the fan-out so its continuation delay (which normally paces
 * the chain to about twice the send rate, keeping the bulk queue short) is zero: the figure is how
 * fast the chain can go, not how fast it is allowed to.
 *
 *   node --import tsx bench/scenarios/fanout.ts --recipients 100000
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { campaignWithRecipients, loadApi } from '../support/api';
import { emptyTally, type Tally } from '../support/aws-calls';
import { startStack } from '../support/environment';
import { startContainer } from '../support/services';
import { round, runScenario, scenarioArgs, until, writeResult } from '../support/stats';

export interface FanoutResult {
  recipients: number;
  /** Adding the list: 1,000 recipients per API call. */
  addSeconds: number;
  addApiCalls: number;
  add: Tally;
  /** From `POST …/send` to the last recipient on the bulk queue. */
  fanoutSeconds: number;
  recipientsQueuedPerSecond: number;
  onBulkQueue: number;
  fanout: Tally;
}

async function main(): Promise<void> {
  const args = scenarioArgs();
  const recipients = Number(args.recipients ?? 100_000);

  const stack = await startStack({ maxSendRate: 14 });
  const { local } = stack;
  const addTally = emptyTally();
  const api = await loadApi(local.runtime.apiUrl, addTally);

  const addStarted = performance.now();
  const calls = Math.ceil(recipients / 1000);
  const id = await campaignWithRecipients(api, recipients, { concurrency: 2 });
  const addSeconds = (performance.now() - addStarted) / 1000;
  const add = structuredClone(addTally);

  const container = await startContainer([{ queue: 'fanout', maxConcurrency: 2 }], {
    ...local.env,
    MAX_SEND_RATE: '1000000',
  });
  // Watched with clients of their own, so the watching is not counted as Mailroom's calls.
  const watchDynamo = new DynamoDBClient({});
  const watchSqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  const sendStarted = performance.now();
  const sent = await api('POST', `/v1/campaigns/${id}/send`);
  if (sent.status !== 202) throw new Error(`send: ${JSON.stringify(sent)}`);
  const done = await until(
    async () => {
      const item = await watchDynamo.send(
        new GetItemCommand({
          TableName: local.env.CAMPAIGNS_TABLE,
          Key: { id: { S: id } },
          ConsistentRead: true,
        }),
      );
      return item.Item?.fanoutDone?.BOOL === true;
    },
    1_800_000,
    200,
  );
  if (!done) throw new Error('fan-out did not finish');
  const fanoutSeconds = (performance.now() - sendStarted) / 1000;
  const fanout = await container.stop();
  const attributes = await watchSqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: local.env.BULK_QUEUE_URL,
      AttributeNames: ['ApproximateNumberOfMessages'],
    }),
  );
  await stack.stop();

  const result: FanoutResult = {
    recipients,
    addSeconds: round(addSeconds, 1),
    addApiCalls: calls,
    add,
    fanoutSeconds: round(fanoutSeconds, 1),
    recipientsQueuedPerSecond: Math.round(recipients / fanoutSeconds),
    onBulkQueue: Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0),
    fanout,
  };
  writeResult(args.out, result);
}

runScenario(main);
