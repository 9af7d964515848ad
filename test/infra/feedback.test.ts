import { exampleStack } from './support/example-stack';
import { type Resources, statementsIn } from './support/template';

const { stack, template, helpers } = exampleStack();

const environmentOf = (construct: Parameters<typeof helpers.resourceOf>[0]): Record<string, unknown> => {
  const environment = helpers.resourceOf(construct).Properties?.Environment as
    | { Variables: Record<string, unknown> }
    | undefined;
  return environment?.Variables ?? {};
};

describe('unsubscribe secret', () => {
  it('is one generated secret of 64 letters and digits, kept with the data (except when its create rolls back)', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    expect(helpers.resourceOf(stack.feedback.unsubscribeSecret)).toMatchObject({
      Properties: {
        GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false },
      },
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
    });
    const generated = helpers.resourceOf(stack.feedback.unsubscribeSecret).Properties?.GenerateSecretString as
      | { PasswordLength?: number }
      | undefined;
    expect(generated?.PasswordLength).toBeGreaterThanOrEqual(48);
  });

  it('is not rotated (links already sent must keep working) and has no rotation schedule', () => {
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
  });

  it('reaches the api and the sender by ARN, never by value', () => {
    for (const fn of [stack.api.function, stack.sender.function]) {
      const variables = environmentOf(fn.lambda);
      expect(variables.UNSUBSCRIBE_SECRET_ARN).toEqual(helpers.ref(stack.feedback.unsubscribeSecret));
      expect(variables).not.toHaveProperty('UNSUBSCRIBE_SECRET');
    }
  });
});

describe('product events topic', () => {
  it('is encrypted with a rotating key of its own (no AWS-managed key a new account may lack), takes only TLS, and its ARN is a stack output', () => {
    const topic = helpers.resourceOf(stack.feedback.productEvents);
    expect(topic.Properties).toMatchObject({
      DisplayName: 'Mailroom product events',
      KmsMasterKeyId: helpers.arnOf(stack.feedback.productEventsKey),
    });
    expect(helpers.resourceOf(stack.feedback.productEventsKey).Properties?.EnableKeyRotation).toBe(true);
    const [policy] = Object.values(
      template.findResources('AWS::SNS::TopicPolicy', {
        Properties: { Topics: [helpers.ref(stack.feedback.productEvents)] },
      }) as Resources,
    );
    expect(policy === undefined ? [] : statementsIn(policy)).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    template.hasOutput('ProductEventsTopicArn', { Value: helpers.ref(stack.feedback.productEvents) });
  });

  it('is where the api (unsubscribes) and the events function publish', () => {
    for (const fn of [stack.api.function, stack.feedback.function]) {
      expect(environmentOf(fn.lambda).PRODUCT_EVENTS_TOPIC_ARN).toEqual(
        helpers.ref(stack.feedback.productEvents),
      );
    }
  });

  it('has one subscription of its own, the webhooks queue: product backends add theirs', () => {
    const subscriptions = template.findResources('AWS::SNS::Subscription', {
      Properties: { TopicArn: helpers.ref(stack.feedback.productEvents) },
    });
    expect(Object.values(subscriptions).map((s) => s.Properties.Endpoint)).toEqual([
      helpers.arnOf(stack.queues.webhooks.queue),
    ]);
  });
});

describe('events function', () => {
  it('is configured through its environment, thresholds from the config defaults', () => {
    const { storage } = stack;
    expect(helpers.resourceOf(stack.feedback.function.lambda).Properties).toMatchObject({
      Timeout: 30,
      Environment: {
        Variables: {
          NODE_OPTIONS: '--enable-source-maps',
          POWERTOOLS_SERVICE_NAME: 'mailroom-events',
          POWERTOOLS_METRICS_NAMESPACE: 'Mailroom/Mailroom-mail-example-com',
          MESSAGES_TABLE: helpers.ref(storage.messages),
          RECIPIENTS_TABLE: helpers.ref(storage.recipients),
          CAMPAIGNS_TABLE: helpers.ref(storage.campaigns),
          SUPPRESSIONS_TABLE: helpers.ref(storage.suppressions),
          DELIVERABILITY_TABLE: helpers.ref(storage.deliverability),
          PRODUCT_EVENTS_TOPIC_ARN: helpers.ref(stack.feedback.productEvents),
          OPS_TOPIC_ARN: helpers.ref(stack.monitoring.alarmTopic),
          BOUNCE_RATE_THRESHOLD: '0.04',
          COMPLAINT_RATE_THRESHOLD: '0.0008',
          GUARD_MINIMUM_SAMPLE: '200',
          TRANSIENT_BOUNCE_LIMIT: '3',
          TRANSIENT_BOUNCE_WINDOW_DAYS: '7',
        },
      },
    });
  });

  it('consumes the events queue ten at a time, at most five batches at once, reporting the events it could not process', () => {
    expect(helpers.eventSourcesOf(stack.feedback.function.lambda)).toEqual([
      {
        EventSourceArn: helpers.arnOf(stack.queues.events.queue),
        FunctionName: helpers.ref(stack.feedback.function.lambda),
        BatchSize: 10,
        // An event burst waits in the queue instead of taking the account's concurrency.
        ScalingConfig: { MaximumConcurrency: 5 },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        Tags: expect.anything(),
      },
    ]);
  });
});
