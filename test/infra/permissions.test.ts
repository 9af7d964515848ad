import { CAMPAIGNS_BY_STATUS } from '../../contract/tables';
import type { MailroomFunction } from '../../lib/constructs/mailroom-function';
import { type ExampleStack, exampleStack } from './support/example-stack';
import { actions, type Resources, rendered, resourcesOf, statementsIn } from './support/template';

/**
 * Least privilege, function by function: every action each role may perform, on which resource.
 * The expectations follow what the handlers' adapters call (the adapters/ folders under lambdas/), so a new
 * grant, or a grant on another resource, fails here until it is written down with its reason.
 */

const { stack, template, helpers } = exampleStack();

type Construct = Parameters<ExampleStack['helpers']['logicalId']>[0];
const arn = (construct: Construct) => `<${helpers.logicalId(construct)}.Arn>`;
const refOf = (construct: Construct) => `<${helpers.logicalId(construct)}>`;
const index = (construct: Construct, name: string) => `${arn(construct)}/index/${name}`;

const LOGS = ['logs:CreateLogStream', 'logs:PutLogEvents'];
const XRAY = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
/** What an SQS event source grants the function it invokes. */
const CONSUME = [
  'sqs:ChangeMessageVisibility',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
  'sqs:GetQueueUrl',
  'sqs:ReceiveMessage',
];

const grantsOf = (fn: MailroomFunction) => helpers.grantsOf(fn.role);

describe('least privilege', () => {
  it('api: the routes, an unsubscribe (suppress, count, publish) and SES account calls, nothing else', () => {
    const { storage, queues, feedback } = stack;
    const { grants, conditional } = grantsOf(stack.api.function);

    expect(grants).toEqual({
      [arn(stack.api.function.logGroup)]: LOGS,
      // GetAccount for GET /v1/account; DeleteSuppressedDestination for DELETE /v1/suppressions/{email}.
      '*': ['ses:DeleteSuppressedDestination', 'ses:GetAccount', ...XRAY],
      [arn(storage.messages)]: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem'],
      [arn(storage.templates)]: [
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Scan',
        'dynamodb:UpdateItem',
      ],
      [arn(storage.suppressions)]: [
        'dynamodb:BatchGetItem',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Scan',
      ],
      [index(storage.suppressions, 'byReason')]: ['dynamodb:Query'],
      [arn(storage.idempotency)]: [
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
      ],
      // BatchGetItem: a campaign's content and counter shards (campaign-parts.ts).
      [arn(storage.campaigns)]: [
        'dynamodb:BatchGetItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Scan',
        'dynamodb:UpdateItem',
      ],
      [arn(storage.recipients)]: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      [arn(storage.rateLedger)]: ['dynamodb:Query'],
      // The guard (read, cleared by a resume) and the hourly bulk counts GET /v1/account shows.
      [arn(storage.deliverability)]: ['dynamodb:BatchGetItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem'],
      [arn(queues.transactional.queue)]: ['sqs:SendMessage'],
      [arn(queues.fanout.queue)]: ['sqs:SendMessage'],
      // Webhooks: the registry item (read, conditional updates) and the deliveries (query); the
      // test route's delivery.
      [arn(storage.webhooks)]: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
      [arn(queues.webhooks.queue)]: ['sqs:SendMessage'],
      [refOf(feedback.productEvents)]: ['sns:Publish'],
      [arn(feedback.productEventsKey)]: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      [refOf(feedback.unsubscribeSecret)]: ['secretsmanager:GetSecretValue'],
    });
    expect(conditional).toEqual([]);
  });

  it('sender: claims and records for both streams, its two queues, the secret, and SES sends from the domain', () => {
    const { storage, queues, feedback } = stack;
    const { grants, conditional } = grantsOf(stack.sender.function);

    expect(grants).toEqual({
      [arn(stack.sender.function.logGroup)]: LOGS,
      '*': ['ses:GetAccount', ...XRAY],
      [arn(storage.messages)]: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      [arn(storage.campaigns)]: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'],
      [arn(storage.recipients)]: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      // Its own rate (PutItem) and the shared send schedule (UpdateItem, GetItem).
      [arn(storage.rateLedger)]: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      [arn(storage.deliverability)]: ['dynamodb:GetItem'],
      // Consumed through the event sources; SendMessage puts throttled or deferred mail back.
      [arn(queues.transactional.queue)]: [...CONSUME, 'sqs:SendMessage'].sort(),
      [arn(queues.bulk.queue)]: [...CONSUME, 'sqs:SendMessage'].sort(),
      [refOf(feedback.unsubscribeSecret)]: ['secretsmanager:GetSecretValue'],
    });
    // The one conditional statement: ses:SendEmail (pinned in stack.test.ts).
    expect(conditional.map(actions)).toEqual([['ses:SendEmail']]);
  });

  it('fan-out: pages recipients, checks suppressions, reads the rate and the guard, feeds both queues', () => {
    const { storage, queues, campaigns } = stack;
    const { grants, conditional } = grantsOf(campaigns.fanout);

    expect(grants).toEqual({
      [arn(campaigns.fanout.logGroup)]: LOGS,
      '*': ['ses:GetAccount', ...XRAY],
      [arn(storage.campaigns)]: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'],
      [arn(storage.recipients)]: ['dynamodb:Query', 'dynamodb:UpdateItem'],
      [arn(storage.suppressions)]: ['dynamodb:BatchGetItem'],
      [arn(storage.rateLedger)]: ['dynamodb:Query'],
      [arn(storage.deliverability)]: ['dynamodb:GetItem'],
      [arn(queues.fanout.queue)]: [...CONSUME, 'sqs:SendMessage'].sort(),
      [arn(queues.bulk.queue)]: ['sqs:SendMessage'],
    });
    expect(conditional).toEqual([]);
  });

  it('tick: finds due and stalled campaigns through the status index, marks them, starts their chains, recounts quiet ones', () => {
    const { storage, queues, campaigns } = stack;
    const { grants, conditional } = grantsOf(campaigns.scheduler);

    expect(grants).toEqual({
      [arn(campaigns.scheduler.logGroup)]: LOGS,
      '*': XRAY,
      [arn(storage.campaigns)]: ['dynamodb:BatchGetItem', 'dynamodb:UpdateItem'],
      [index(storage.campaigns, CAMPAIGNS_BY_STATUS)]: ['dynamodb:Query'],
      [arn(storage.recipients)]: ['dynamodb:Query'],
      [arn(queues.fanout.queue)]: ['sqs:SendMessage'],
    });
    expect(conditional).toEqual([]);
  });

  it('events: records events, suppresses, counts, trips the guard, publishes product events and tells ops', () => {
    const { storage, queues, feedback, monitoring } = stack;
    const { grants, conditional } = grantsOf(feedback.function);

    expect(grants).toEqual({
      [arn(feedback.function.logGroup)]: LOGS,
      '*': XRAY,
      [arn(storage.messages)]: ['dynamodb:UpdateItem'],
      [arn(storage.recipients)]: ['dynamodb:UpdateItem'],
      [arn(storage.campaigns)]: ['dynamodb:BatchGetItem', 'dynamodb:UpdateItem'],
      [index(storage.campaigns, CAMPAIGNS_BY_STATUS)]: ['dynamodb:Query'],
      [arn(storage.suppressions)]: ['dynamodb:PutItem'],
      [arn(storage.deliverability)]: ['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      [arn(queues.events.queue)]: CONSUME,
      [refOf(feedback.productEvents)]: ['sns:Publish'],
      [arn(feedback.productEventsKey)]: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      [refOf(monitoring.alarmTopic)]: ['sns:Publish'],
      // Publishing to the alarm topic, which a customer-managed key encrypts.
      [arn(monitoring.alarmTopicKey)]: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    });
    expect(conditional).toEqual([]);
  });

  it('webhooks: the registry and the attempts, its own queue (consume and send back), product events', () => {
    const { storage, queues, feedback } = stack;
    const { grants, conditional } = grantsOf(stack.webhooks.function);

    expect(grants).toEqual({
      [arn(stack.webhooks.function.logGroup)]: LOGS,
      '*': XRAY,
      [arn(storage.webhooks)]: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      // Consumed by its event source; retries go back on it with a delay.
      [arn(queues.webhooks.queue)]: [...CONSUME, 'sqs:SendMessage'].sort(),
      // webhook_disabled.
      [refOf(feedback.productEvents)]: ['sns:Publish'],
      [arn(feedback.productEventsKey)]: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    });
    expect(conditional).toEqual([]);
  });

  it('lets only the api and the sender read the unsubscribe secret', () => {
    expect(rolesAllowed('secretsmanager:GetSecretValue')).toEqual(
      [stack.api.function.role, stack.sender.function.role].map((role) => helpers.logicalId(role)).sort(),
    );
  });

  it('lets only the api, the events and the webhooks function publish product events', () => {
    expect(rolesAllowed('sns:Publish', refOf(stack.feedback.productEvents))).toEqual(
      [stack.api.function.role, stack.feedback.function.role, stack.webhooks.function.role]
        .map((role) => helpers.logicalId(role))
        .sort(),
    );
  });

  it('lets only the sender and the fan-out put messages on the bulk queue', () => {
    expect(rolesAllowed('sqs:SendMessage', arn(stack.queues.bulk.queue))).toEqual(
      [stack.sender.function.role, stack.campaigns.fanout.role].map((role) => helpers.logicalId(role)).sort(),
    );
  });

  it('leaves the alarm topic key usable through IAM: its policy trusts the account', () => {
    const key = helpers.resourceOf(stack.monitoring.alarmTopicKey);
    expect(statementsIn(key, 'KeyPolicy')).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'kms:*',
        Principal: { AWS: 'arn:aws:iam::123456789012:root' },
      }),
    );
  });
});

/** The logical ids of the roles whose policies allow `action` (on `resource`, if given). */
function rolesAllowed(action: string, resource?: string): string[] {
  const policies = template.findResources('AWS::IAM::Policy') as Resources;
  return Object.values(policies)
    .filter((policy) =>
      statementsIn(policy).some(
        (statement) =>
          actions(statement).includes(action) &&
          (resource === undefined || resourcesOf(statement).map(rendered).includes(resource)),
      ),
    )
    .flatMap((policy) => ((policy.Properties?.Roles ?? []) as Array<{ Ref: string }>).map((role) => role.Ref))
    .sort();
}
