import { Match, Template } from 'aws-cdk-lib/assertions';
import { configurationSetNameFor } from '../../lib/constructs/identity';
import type { MailroomStack } from '../../lib/mailroom-stack';
import {
  EXAMPLE_CONFIG,
  route53ExampleWithTrackingDomain,
  type SynthesizedApp,
  synthesizeMailroom,
  writeConfigs,
} from './support/app';
import { type Resources, statementsIn, templateOf } from './support/template';

/** Every event type SES can publish, as CloudFormation spells them. */
const ALL_EVENT_TYPES = [
  'send',
  'reject',
  'bounce',
  'complaint',
  'delivery',
  'open',
  'click',
  'renderingFailure',
  'deliveryDelay',
  'subscription',
];

let synthesized: SynthesizedApp;
// clients/example.json: no hosted zone, tracking off.
let plain: { stack: MailroomStack; template: Template; helpers: ReturnType<typeof templateOf> };
// clients/example-route53.json at its second deploy: a hosted zone, open and click tracking with a
// custom domain.
let zoned: { stack: MailroomStack; template: Template; helpers: ReturnType<typeof templateOf> };

beforeAll(() => {
  const written = writeConfigs({ route53: route53ExampleWithTrackingDomain() });
  try {
    synthesized = synthesizeMailroom([EXAMPLE_CONFIG, ...written.paths], { bundle: false });
  } finally {
    written.cleanup();
  }
  const [first, second] = synthesized.stacks;
  if (first === undefined || second === undefined) throw new Error('expected two stacks');
  const load = (stack: MailroomStack) => {
    const template = Template.fromStack(stack);
    return { stack, template, helpers: templateOf(stack, template) };
  };
  plain = load(first);
  zoned = load(second);
});

afterAll(() => synthesized.cleanup());

describe('domain identity', () => {
  it('signs with 2048-bit Easy DKIM and uses the MAIL FROM subdomain, falling back to the SES default on MX failure', () => {
    plain.template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'mail.example.com',
      DkimSigningAttributes: { NextSigningKeyLength: 'RSA_2048_BIT' },
      MailFromAttributes: {
        MailFromDomain: 'bounce.mail.example.com',
        BehaviorOnMxFailure: 'USE_DEFAULT_VALUE',
      },
      ConfigurationSetAttributes: {
        ConfigurationSetName: plain.helpers.ref(plain.stack.identity.transactional),
      },
    });
    zoned.template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'mail.example.org',
      MailFromAttributes: { MailFromDomain: 'mx.mail.example.org' },
    });
  });
});

describe('DNS records without a hosted zone', () => {
  it('prints each record as a stack output ready to paste: name, type, value', () => {
    const outputs = plain.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.MailFromMxRecord?.Value).toBe(
      'bounce.mail.example.com MX 10 feedback-smtp.eu-west-1.amazonses.com',
    );
    expect(outputs.MailFromSpfRecord?.Value).toBe(
      'bounce.mail.example.com TXT "v=spf1 include:amazonses.com ~all"',
    );
    expect(outputs.DmarcRecord?.Value).toBe(
      '_dmarc.mail.example.com TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com"',
    );
    const domain = plain.helpers.logicalId(plain.stack.identity.identity);
    for (const n of [1, 2, 3]) {
      expect(outputs[`DkimRecord${n}`]?.Value).toEqual({
        'Fn::Join': [
          '',
          [
            { 'Fn::GetAtt': [domain, `DkimDNSTokenName${n}`] },
            ' CNAME ',
            { 'Fn::GetAtt': [domain, `DkimDNSTokenValue${n}`] },
          ],
        ],
      });
    }
  });

  it('creates no Route 53 record', () => {
    plain.template.resourceCountIs('AWS::Route53::RecordSet', 0);
  });
});

describe('DNS records with a hosted zone', () => {
  const recordsOf = (template: Template) =>
    Object.values(template.findResources('AWS::Route53::RecordSet') as Resources).map(
      (record) => record.Properties ?? {},
    );

  it('writes the DKIM CNAMEs, MAIL FROM MX and SPF, DMARC and tracking CNAME into the zone', () => {
    const records = recordsOf(zoned.template);
    for (const record of records)
      expect(record).toMatchObject({ HostedZoneId: 'Z0123456789EXAMPLE', TTL: '1800' });
    const literal = records
      .filter((record) => typeof record.Name === 'string')
      .map((record) => [record.Name, record.Type, record.ResourceRecords]);
    expect(literal).toEqual(
      expect.arrayContaining([
        ['mx.mail.example.org', 'MX', ['10 feedback-smtp.us-east-1.amazonses.com']],
        ['mx.mail.example.org', 'TXT', ['"v=spf1 include:amazonses.com ~all"']],
        ['_dmarc.mail.example.org', 'TXT', ['"v=DMARC1; p=quarantine; rua=mailto:dmarc@example.org"']],
        ['track.mail.example.org', 'CNAME', ['r.us-east-1.awstrack.me']],
      ]),
    );
    expect(literal).toHaveLength(4);
    const domain = zoned.helpers.logicalId(zoned.stack.identity.identity);
    const dkim = records.filter((record) => typeof record.Name !== 'string');
    expect(dkim).toEqual(
      [1, 2, 3].map((n) =>
        expect.objectContaining({
          Type: 'CNAME',
          Name: { 'Fn::GetAtt': [domain, `DkimDNSTokenName${n}`] },
          ResourceRecords: [{ 'Fn::GetAtt': [domain, `DkimDNSTokenValue${n}`] }],
        }),
      ),
    );
  });

  it('prints no DNS record outputs', () => {
    const outputs = Object.keys(zoned.template.toJSON().Outputs as object);
    expect(outputs.filter((name) => /Record/.test(name))).toEqual([]);
  });
});

describe('configuration sets', () => {
  it('are two, transactional and bulk, named after the stack', () => {
    plain.template.resourceCountIs('AWS::SES::ConfigurationSet', 2);
    expect(plain.helpers.resourceOf(plain.stack.identity.transactional).Properties?.Name).toBe(
      'Mailroom-mail-example-com-transactional',
    );
    expect(plain.helpers.resourceOf(plain.stack.identity.bulk).Properties?.Name).toBe(
      'Mailroom-mail-example-com-bulk',
    );
  });

  it('each keep reputation metrics, require TLS and suppress bounces and complaints', () => {
    for (const set of [plain.stack.identity.transactional, plain.stack.identity.bulk]) {
      expect(plain.helpers.resourceOf(set).Properties).toMatchObject({
        ReputationOptions: { ReputationMetricsEnabled: true },
        DeliveryOptions: { TlsPolicy: 'REQUIRE' },
        SendingOptions: { SendingEnabled: true },
        SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
      });
    }
  });

  it('publish every event type to the events topic, opens and clicks only when tracked', () => {
    for (const { stack, template, helpers } of [plain, zoned]) {
      for (const set of [stack.identity.transactional, stack.identity.bulk]) {
        const destinations = Object.values(
          template.findResources('AWS::SES::ConfigurationSetEventDestination', {
            Properties: {
              ConfigurationSetName: helpers.ref(set),
              EventDestination: { SnsDestination: { TopicARN: helpers.ref(stack.events.topic) } },
            },
          }) as Resources,
        );
        expect(destinations).toHaveLength(1);
        const destination = destinations[0]?.Properties?.EventDestination as
          | { MatchingEventTypes?: string[] }
          | undefined;
        const types = destination?.MatchingEventTypes ?? [];
        const tracked = stack === zoned.stack;
        expect(types.slice().sort()).toEqual(
          ALL_EVENT_TYPES.filter((type) => tracked || !['open', 'click'].includes(type)).sort(),
        );
      }
    }
  });

  it('send their sending metrics to CloudWatch per configuration set', () => {
    for (const set of [plain.stack.identity.transactional, plain.stack.identity.bulk]) {
      plain.template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
        ConfigurationSetName: plain.helpers.ref(set),
        EventDestination: {
          CloudWatchDestination: {
            DimensionConfigurations: [
              { DimensionName: 'ses:configuration-set', DimensionValueSource: 'messageTag' },
            ].map((dimension) => Match.objectLike(dimension)),
          },
          MatchingEventTypes: Match.arrayEquals(['send', 'delivery', 'bounce', 'complaint', 'reject']),
        },
      });
    }
  });

  it('track through the custom redirect domain only when one is configured', () => {
    for (const set of [zoned.stack.identity.transactional, zoned.stack.identity.bulk]) {
      expect(zoned.helpers.resourceOf(set).Properties?.TrackingOptions).toMatchObject({
        CustomRedirectDomain: 'track.mail.example.org',
      });
    }
    expect(
      plain.helpers.resourceOf(plain.stack.identity.transactional).Properties?.TrackingOptions,
    ).toBeUndefined();
  });

  it('keep a unique name within the 64 characters SES allows for a long stack name', () => {
    const long = `Mailroom-${'a'.repeat(60)}`;
    const other = `Mailroom-${'a'.repeat(59)}b`;

    const names = [
      configurationSetNameFor(long, 'transactional'),
      configurationSetNameFor(other, 'transactional'),
    ];

    for (const name of names) expect(name.length).toBeLessThanOrEqual(64);
    expect(names[0]).toMatch(/-transactional$/);
    expect(names[0]).not.toEqual(names[1]);
  });
});

describe('events topic', () => {
  it("is encrypted with a rotating customer-managed key that SES may use only for this stack's configuration sets and this topic", () => {
    const { events } = plain.stack;
    expect(plain.helpers.resourceOf(events.topic).Properties?.KmsMasterKeyId).toEqual(
      plain.helpers.arnOf(events.key),
    );
    const key = plain.helpers.resourceOf(events.key);
    expect(key.Properties?.EnableKeyRotation).toBe(true);
    const forSes = statementsIn(key, 'KeyPolicy').filter((statement) =>
      JSON.stringify(statement.Principal).includes('ses.amazonaws.com'),
    );
    expect(forSes).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Condition: {
          StringEquals: {
            'aws:SourceAccount': '123456789012',
            'kms:EncryptionContext:aws:sns:topicArn':
              'arn:aws:sns:eu-west-1:123456789012:Mailroom-mail-example-com-ses-events',
          },
          ArnLike: {
            'aws:SourceArn': ['transactional', 'bulk'].map(
              (stream) =>
                `arn:aws:ses:eu-west-1:123456789012:configuration-set/Mailroom-mail-example-com-${stream}`,
            ),
          },
        },
      }),
    ]);
    // The name the key policy names is the topic's own.
    expect(plain.helpers.resourceOf(events.topic).Properties?.TopicName).toBe(
      'Mailroom-mail-example-com-ses-events',
    );
  });

  it('refuses publishing without TLS and lets SES publish only for the two configuration sets', () => {
    const { events, identity } = plain.stack;
    const [policy] = Object.values(
      plain.template.findResources('AWS::SNS::TopicPolicy', {
        Properties: { Topics: [plain.helpers.ref(events.topic)] },
      }) as Resources,
    );
    const statements = policy === undefined ? [] : statementsIn(policy);
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    const sesStatements = statements.filter((statement) =>
      JSON.stringify(statement.Principal).includes('ses.amazonaws.com'),
    );
    expect(sesStatements).toHaveLength(2);
    for (const set of [identity.transactional, identity.bulk]) {
      expect(JSON.stringify(sesStatements)).toContain(JSON.stringify(plain.helpers.ref(set)));
    }
  });

  it('is published as a stack output for the consumers that subscribe to it', () => {
    plain.template.hasOutput('SesEventsTopicArn', { Value: plain.helpers.ref(plain.stack.events.topic) });
  });
});
