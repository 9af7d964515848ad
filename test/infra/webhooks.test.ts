import { WEBHOOK_RETRY_SCHEDULE_SECONDS } from '../../contract/thresholds';
import { exampleStack } from './support/example-stack';

const { stack, helpers } = exampleStack();

describe('webhooks function', () => {
  it('is configured through its environment, with the default retry schedule', () => {
    const { storage, queues, feedback } = stack;
    expect(helpers.resourceOf(stack.webhooks.function.lambda).Properties).toMatchObject({
      Timeout: 30,
      Environment: {
        Variables: {
          NODE_OPTIONS: '--enable-source-maps',
          POWERTOOLS_SERVICE_NAME: 'mailroom-webhooks',
          POWERTOOLS_METRICS_NAMESPACE: 'Mailroom/Mailroom-mail-example-com',
          WEBHOOKS_TABLE: helpers.ref(storage.webhooks),
          WEBHOOKS_QUEUE_URL: helpers.ref(queues.webhooks.queue),
          PRODUCT_EVENTS_TOPIC_ARN: helpers.ref(feedback.productEvents),
          WEBHOOK_RETRY_SCHEDULE: WEBHOOK_RETRY_SCHEDULE_SECONDS.join(','),
        },
      },
    });
  });

  it('never allows loopback or http receivers in AWS: no function gets WEBHOOK_ALLOW_LOOPBACK', () => {
    const functions = [stack.api.function, stack.webhooks.function].map((fn) => {
      const environment = helpers.resourceOf(fn.lambda).Properties?.Environment as
        | { Variables: object }
        | undefined;
      return environment?.Variables ?? {};
    });

    expect(functions.filter((variables) => 'WEBHOOK_ALLOW_LOOPBACK' in variables)).toEqual([]);
  });

  it('runs outside a VPC, so Lambda gives it internet egress without a NAT gateway', () => {
    expect(helpers.resourceOf(stack.webhooks.function.lambda).Properties?.VpcConfig).toBeUndefined();
  });

  it('drains the webhooks queue in batches of ten, at most five at once, reporting failures one by one', () => {
    expect(helpers.eventSourcesOf(stack.webhooks.function.lambda)).toEqual([
      expect.objectContaining({
        EventSourceArn: helpers.arnOf(stack.queues.webhooks.queue),
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: 5 },
      }),
    ]);
  });
});
