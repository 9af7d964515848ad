import { Match, Template } from 'aws-cdk-lib/assertions';
import { InvalidConfigError } from '../../lib/config';
import { exampleConfig, type SynthesizedApp, synthesizeMailroom, writeConfigs } from './support/app';

/**
 * What would make a first `cdk deploy` into a brand-new client account fail, each pinned: the
 * reservation a low Lambda quota refuses, an SES identity or DNS records that already exist, two
 * stacks in one account and region sharing one send rate and one metrics namespace.
 */

const zone = { zoneId: 'Z0123456789EXAMPLE', zoneName: 'example.com' };

function synth(configs: Record<string, unknown>): { synthesized: SynthesizedApp; templates: Template[] } {
  const written = writeConfigs(configs);
  try {
    const synthesized = synthesizeMailroom(written.paths, { bundle: false });
    return { synthesized, templates: synthesized.stacks.map((stack) => Template.fromStack(stack)) };
  } finally {
    written.cleanup();
  }
}

function only(configs: Record<string, unknown>): Template {
  const { synthesized, templates } = synth(configs);
  synthesized.cleanup();
  const [template] = templates;
  if (template === undefined) throw new Error('expected one stack');
  return template;
}

const senderOf = (template: Template) => {
  const senders = Object.values(
    template.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'mailroom-sender' } } },
    }),
  );
  expect(senders).toHaveLength(1);
  return senders[0] as { Properties: Record<string, unknown> };
};

describe('the sender reservation (a new account has a Lambda quota of 10 or 50)', () => {
  it('reserves what both event sources may run by default', () => {
    expect(senderOf(only({ example: exampleConfig() })).Properties.ReservedConcurrentExecutions).toBe(4);
  });

  it('reserves nothing with "off", leaving the event sources\' maximum concurrency as the cap', () => {
    const template = only({ example: { ...exampleConfig(), senderReservedConcurrency: 'off' } });

    expect(senderOf(template).Properties.ReservedConcurrentExecutions).toBeUndefined();
    const caps = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).map(
      (mapping) => mapping.Properties.ScalingConfig?.MaximumConcurrency,
    );
    expect(caps.every((cap) => typeof cap === 'number')).toBe(true);
  });

  it('reserves a configured number', () => {
    const template = only({ example: { ...exampleConfig(), senderReservedConcurrency: 12 } });

    expect(senderOf(template).Properties.ReservedConcurrentExecutions).toBe(12);
  });
});

describe("API Gateway's account-wide CloudWatch Logs role", () => {
  it('is neither set nor removed by the stack (it is one per account and region, shared by every API; the preflight sets it once when asked)', () => {
    const template = only({ example: exampleConfig() });

    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    // The stage still logs every request: that is what needs the role, and what the preflight checks.
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.anyValue() },
    });
  });
});

describe('an SES identity that already exists', () => {
  it('is adopted instead of created, and sends are still allowed through it', () => {
    const template = only({ example: { ...exampleConfig(), adoptExistingIdentity: true } });

    template.resourceCountIs('AWS::SES::EmailIdentity', 0);
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policies).toContain(':identity/mail.example.com');
    // The DKIM tokens of an identity the stack does not own are unknown at synth: the preflight
    // prints them instead.
    expect(Object.keys(template.findOutputs('*'))).not.toContain('DkimRecord1');
    expect(Object.keys(template.findOutputs('*'))).toContain('DmarcRecord');
  });
});

describe('DNS records the hosted zone already has', () => {
  it('are not written when skipped, and every other record still is', () => {
    const all = only({ example: { ...exampleConfig(), hostedZone: zone } });
    const skipped = only({
      example: { ...exampleConfig(), hostedZone: zone, skipDnsRecords: ['dmarc', 'mailFromMx'] },
    });

    const records = (template: Template) =>
      Object.values(template.findResources('AWS::Route53::RecordSet')).map(
        (record) => `${String(record.Properties.Type)} ${JSON.stringify(record.Properties.Name)}`,
      );
    expect(records(all)).toHaveLength(6);
    expect(records(skipped)).toHaveLength(4);
    expect(records(skipped).join('\n')).not.toContain('_dmarc');
    expect(records(skipped).filter((record) => record.startsWith('MX '))).toEqual([]);
    expect(records(skipped).filter((record) => record.startsWith('TXT '))).toHaveLength(1);
  });
});

describe('two Mailroom stacks in one account and region', () => {
  const staging = {
    ...exampleConfig(),
    stackName: 'Mailroom-staging',
    sendingDomain: 'staging.example.com',
    fromAddress: 'no-reply@staging.example.com',
  };

  it('are refused when their send rate shares add up to more than the account has', () => {
    const written = writeConfigs({ production: exampleConfig(), staging });
    try {
      expect(() => synthesizeMailroom(written.paths, { bundle: false })).toThrow(InvalidConfigError);
      expect(() => synthesizeMailroom(written.paths, { bundle: false })).toThrow(
        /share its one SES MaxSendRate, but their shares add up to 2 \(over 1\): set sendRateShare in each so they add up to at most 1, e\.g\. 0\.5 each/,
      );
    } finally {
      written.cleanup();
    }
  });

  it('are refused when three shares pass 1 by a rounding error, with the exact sum and an even split', () => {
    const third = (name: string) => ({
      ...exampleConfig(),
      stackName: `Mailroom-${name}`,
      sendingDomain: `${name}.example.com`,
      fromAddress: `no-reply@${name}.example.com`,
      sendRateShare: 0.3333334,
    });
    const written = writeConfigs({ a: third('a'), b: third('b'), c: third('c') });
    try {
      expect(() => synthesizeMailroom(written.paths, { bundle: false })).toThrow(
        /add up to 1\.0000002 \(over 1\).*e\.g\. 0\.3333 each/,
      );
    } finally {
      written.cleanup();
    }
  });

  it('each pace to their share, publish it for the preflight, and keep their metrics apart', () => {
    const { synthesized, templates } = synth({
      production: { ...exampleConfig(), sendRateShare: 0.7 },
      staging: { ...staging, sendRateShare: 0.3 },
    });
    synthesized.cleanup();
    const [production, stagingTemplate] = templates;
    if (production === undefined || stagingTemplate === undefined) throw new Error('expected two stacks');

    for (const [template, share, stackName] of [
      [production, '0.7', 'Mailroom-mail-example-com'],
      [stagingTemplate, '0.3', 'Mailroom-staging'],
    ] as const) {
      const pacing = Object.values(
        template.findResources('AWS::Lambda::Function', {
          Properties: { Environment: { Variables: { SEND_RATE_SHARE: share } } },
        }),
      ).map((fn) => fn.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME as string);
      expect(pacing.sort()).toEqual(['mailroom-api', 'mailroom-fanout', 'mailroom-sender']);
      template.hasOutput('SendRateShare', { Value: share });

      const namespaces = new Set(
        Object.values(template.findResources('AWS::Lambda::Function')).map(
          (fn) => fn.Properties.Environment.Variables.POWERTOOLS_METRICS_NAMESPACE as string,
        ),
      );
      expect([...namespaces]).toEqual([`Mailroom/${stackName}`]);
      // The dashboard and alarms read this stack's namespace only, never the other's.
      const watching = JSON.stringify([
        template.findResources('AWS::CloudWatch::Dashboard'),
        template.findResources('AWS::CloudWatch::Alarm'),
      ]);
      expect(watching).toContain(`Mailroom/${stackName}`);
      expect(watching).not.toMatch(/"Mailroom"|\\"Mailroom\\"/);
    }
  });
});
