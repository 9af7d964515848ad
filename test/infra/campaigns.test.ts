import { exampleStack } from './support/example-stack';
import type { Resources } from './support/template';

const { stack, template, helpers } = exampleStack();

describe('fan-out function', () => {
  it('is configured through its environment', () => {
    const { storage, queues } = stack;
    expect(helpers.resourceOf(stack.campaigns.fanout.lambda).Properties).toMatchObject({
      Timeout: 60,
      Environment: {
        Variables: {
          POWERTOOLS_SERVICE_NAME: 'mailroom-fanout',
          CAMPAIGNS_TABLE: helpers.ref(storage.campaigns),
          RECIPIENTS_TABLE: helpers.ref(storage.recipients),
          SUPPRESSIONS_TABLE: helpers.ref(storage.suppressions),
          RATE_LEDGER_TABLE: helpers.ref(storage.rateLedger),
          DELIVERABILITY_TABLE: helpers.ref(storage.deliverability),
          FANOUT_QUEUE_URL: helpers.ref(queues.fanout.queue),
          BULK_QUEUE_URL: helpers.ref(queues.bulk.queue),
        },
      },
    });
    const environment = helpers.resourceOf(stack.campaigns.fanout.lambda).Properties?.Environment;
    expect(JSON.stringify(environment)).not.toContain('MAX_SEND_RATE');
  });

  it('takes one link of the chain per invocation, at most two at once, reporting a failed link', () => {
    expect(helpers.eventSourcesOf(stack.campaigns.fanout.lambda)).toEqual([
      {
        EventSourceArn: helpers.arnOf(stack.queues.fanout.queue),
        FunctionName: helpers.ref(stack.campaigns.fanout.lambda),
        BatchSize: 1,
        ScalingConfig: { MaximumConcurrency: 2 },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        Tags: expect.anything(),
      },
    ]);
  });
});

describe('scheduler (the one-minute tick)', () => {
  it('is configured through its environment', () => {
    expect(helpers.resourceOf(stack.campaigns.scheduler.lambda).Properties).toMatchObject({
      Timeout: 30,
      Environment: {
        Variables: {
          POWERTOOLS_SERVICE_NAME: 'mailroom-scheduler',
          CAMPAIGNS_TABLE: helpers.ref(stack.storage.campaigns),
          FANOUT_QUEUE_URL: helpers.ref(stack.queues.fanout.queue),
        },
      },
    });
    // The tick only starts and restarts chains: the fan-out alone writes to the bulk queue.
    const environment = helpers.resourceOf(stack.campaigns.scheduler.lambda).Properties?.Environment;
    expect(JSON.stringify(environment)).not.toContain('BULK_QUEUE_URL');
  });

  it('runs every minute from one EventBridge rule, and only from it', () => {
    const rules = template.findResources('AWS::Events::Rule') as Resources;
    expect(Object.values(rules).map((rule) => rule.Properties)).toEqual([
      expect.objectContaining({
        ScheduleExpression: 'rate(1 minute)',
        State: 'ENABLED',
        Targets: [
          expect.objectContaining({
            Arn: helpers.arnOf(stack.campaigns.scheduler.lambda),
            RetryPolicy: { MaximumRetryAttempts: 0 },
          }),
        ],
      }),
    ]);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: helpers.arnOf(stack.campaigns.scheduler.lambda),
      Principal: 'events.amazonaws.com',
      SourceArn: helpers.arnOf(stack.campaigns.tick),
    });
  });

  it('does not retry a failed tick: the next one comes within a minute', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: helpers.ref(stack.campaigns.scheduler.lambda),
      MaximumRetryAttempts: 0,
    });
  });
});
