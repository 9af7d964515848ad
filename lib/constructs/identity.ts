import { createHash } from 'node:crypto';
import { Stack } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as ses from 'aws-cdk-lib/aws-ses';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { DnsRecordKind } from '../config';

/** The two message streams, each with its own configuration set and reputation. */
export const STREAMS = ['transactional', 'bulk'] as const;
/** A message stream: `transactional` (API sends) or `bulk` (campaigns). */
export type Stream = (typeof STREAMS)[number];

/** A DNS record the sending domain needs, in the form a DNS provider asks for. */
export interface DnsRecord {
  /** Stable id: the Route 53 record's construct id, or the stack output's name. */
  readonly id: string;
  /** Fully qualified record name, without the trailing dot. */
  readonly name: string;
  readonly type: 'CNAME' | 'MX' | 'TXT';
  /** The record's value as a zone file has it: `10 host` for MX, a quoted string for TXT. */
  readonly value: string;
  /** What the record is for, for the person publishing it. */
  readonly purpose: string;
  /** Which kind it is, as the config's `skipDnsRecords` names it. */
  readonly kind: DnsRecordKind;
}

/** DMARC policy published at `_dmarc.<domain>`. */
export interface DmarcOptions {
  /** What receivers should do with mail that fails DMARC. */
  readonly policy: 'none' | 'quarantine' | 'reject';
  /**
   * Where receivers send aggregate reports (`rua`).
   * @default - no reports
   */
  readonly reportAddress?: string;
}

/** Open and click tracking. */
export interface TrackingOptions {
  /** Add SES's tracking pixel and publish OPEN events. */
  readonly opens: boolean;
  /** Rewrite links through SES's redirector and publish CLICK events. */
  readonly clicks: boolean;
  /**
   * A subdomain of the sending domain that stands in for SES's `awstrack.me` in tracked links.
   * @default - SES's own tracking domain
   */
  readonly customDomain?: string;
}

/** Properties of {@link SendingIdentity}. */
export interface SendingIdentityProps {
  /** The domain mail is sent from, e.g. `mail.acme.com`. */
  readonly domain: string;
  /** The MAIL FROM (envelope sender) domain, a subdomain of `domain`, e.g. `bounce.mail.acme.com`. */
  readonly mailFromDomain: string;
  /** The DMARC record to publish. */
  readonly dmarc: DmarcOptions;
  /** Open and click tracking, the same for both streams. */
  readonly tracking: TrackingOptions;
  /** Where both configuration sets publish their events. */
  readonly eventsTopic: sns.ITopic;
  /**
   * A public Route 53 zone holding `domain`: the DNS records are written into it.
   * @default - no zone: the records are only listed in {@link SendingIdentity.dnsRecords}
   */
  readonly hostedZone?: { readonly zoneId: string; readonly zoneName: string };
  /**
   * Use the SES identity for `domain` that already exists in the account (made in the console or
   * by another tool) instead of creating one, which would fail with "already exists". Its DKIM
   * and MAIL FROM settings stay as they are, and its DKIM records, unknown at synth, are not
   * listed.
   * @default false
   */
  readonly adoptExistingIdentity?: boolean;
  /**
   * Records the hosted zone already has: not written, since a record of the same name and type
   * makes the create fail. They are still listed in {@link SendingIdentity.dnsRecords}.
   * @default - none: every record is written
   */
  readonly skipDnsRecords?: readonly DnsRecordKind[];
}

/** Event types published to the events topic whatever the tracking settings. */
const UNTRACKED_EVENTS = [
  ses.EmailSendingEvent.SEND,
  ses.EmailSendingEvent.REJECT,
  ses.EmailSendingEvent.BOUNCE,
  ses.EmailSendingEvent.COMPLAINT,
  ses.EmailSendingEvent.DELIVERY,
  ses.EmailSendingEvent.RENDERING_FAILURE,
  ses.EmailSendingEvent.DELIVERY_DELAY,
  ses.EmailSendingEvent.SUBSCRIPTION,
];

/** The SES sending metrics the dashboard shows per configuration set. */
export const SES_EVENT_METRICS = ['Send', 'Delivery', 'Bounce', 'Complaint', 'Reject'] as const;

/**
 * The CloudWatch dimension SES's own `ses:configuration-set` message tag fills in: the sending
 * metrics of each stream then appear in AWS/SES under the configuration set's name.
 */
export const CONFIGURATION_SET_DIMENSION = 'ses:configuration-set';

/**
 * The configuration set name for a stream. Names must be unique per account and region, so they
 * start with the stack name; SES allows 64 characters, so a long stack name is shortened and
 * made unique again with a hash of the whole name.
 */
export function configurationSetNameFor(stackName: string, stream: Stream): string {
  const name = `${stackName}-${stream}`;
  if (name.length <= 64) return name;
  const hash = createHash('sha256').update(stackName).digest('hex').slice(0, 8);
  return `${stackName.slice(0, 64 - stream.length - hash.length - 2)}-${hash}-${stream}`;
}

/**
 * The SES side of sending: the verified domain identity (Easy DKIM, custom MAIL FROM), the DNS
 * records it needs, and one configuration set per stream (like Postmark's message streams:
 * separate reputation metrics, and bulk can be paused while transactional mail keeps flowing).
 */
export class SendingIdentity extends Construct {
  /**
   * The domain identity (Easy DKIM, 2048-bit keys) this stack creates, or the existing one it
   * adopts (then only a reference: the stack does not manage it).
   */
  readonly identity: ses.IEmailIdentity;
  /** ARN of the domain identity, the resource `ses:SendEmail` is authorized against. */
  readonly identityArn: string;
  /** The `transactional` stream: API sends (invites, resets, OTPs). */
  readonly transactional: ses.ConfigurationSet;
  /** The `bulk` stream: campaigns. */
  readonly bulk: ses.ConfigurationSet;
  /**
   * ARN of each stream's configuration set. SES authorizes `ses:SendEmail` against the
   * configuration set too, which `EmailIdentity.grantSendEmail` leaves out.
   */
  readonly configurationSetArns: Readonly<Record<Stream, string>>;
  /** Each stream's configuration set name (as a CloudFormation reference). */
  readonly configurationSetNames: Readonly<Record<Stream, string>>;
  /**
   * Every DNS record the domain needs: 3 DKIM CNAMEs, the MAIL FROM MX and SPF TXT, the DMARC
   * TXT and, with a custom tracking domain, its CNAME. Written into the hosted zone when there is
   * one; the stack prints them otherwise.
   */
  readonly dnsRecords: readonly DnsRecord[];

  constructor(scope: Construct, id: string, props: SendingIdentityProps) {
    super(scope, id);
    const stack = Stack.of(this);

    const configurationSet = (stream: Stream, constructId: string) => {
      const set = new ses.ConfigurationSet(this, constructId, {
        configurationSetName: configurationSetNameFor(stack.stackName, stream),
        // Left unset, CloudFormation gets no ReputationOptions and SES keeps no reputation metrics.
        reputationMetrics: true,
        sendingEnabled: true,
        // Password resets and OTP codes must not cross the internet in clear text.
        tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
        // A hard bounce or a complaint keeps the address from being mailed again through SES,
        // whatever the account-level setting says.
        suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
        customTrackingRedirectDomain: props.tracking.customDomain,
      });
      set.addEventDestination('Events', {
        configurationSetEventDestinationName: 'events-topic',
        destination: ses.EventDestination.snsTopic(props.eventsTopic),
        // SES adds the tracking pixel and rewrites links exactly when a destination subscribes
        // to OPEN and CLICK: publishing them is what switches tracking on.
        events: [
          ...UNTRACKED_EVENTS,
          ...(props.tracking.opens ? [ses.EmailSendingEvent.OPEN] : []),
          ...(props.tracking.clicks ? [ses.EmailSendingEvent.CLICK] : []),
        ],
      });
      // AWS/SES Send, Delivery, ... exist per account by default; this destination adds them
      // per configuration set, which the dashboard shows side by side.
      set.addEventDestination('Metrics', {
        configurationSetEventDestinationName: 'cloudwatch-metrics',
        destination: ses.EventDestination.cloudWatchDimensions([
          {
            name: CONFIGURATION_SET_DIMENSION,
            source: ses.CloudWatchDimensionSource.MESSAGE_TAG,
            defaultValue: 'none',
          },
        ]),
        events: [
          ses.EmailSendingEvent.SEND,
          ses.EmailSendingEvent.DELIVERY,
          ses.EmailSendingEvent.BOUNCE,
          ses.EmailSendingEvent.COMPLAINT,
          ses.EmailSendingEvent.REJECT,
        ],
      });
      return set;
    };
    this.transactional = configurationSet('transactional', 'Transactional');
    this.bulk = configurationSet('bulk', 'Bulk');
    const arnOf = (set: ses.ConfigurationSet) =>
      stack.formatArn({
        service: 'ses',
        resource: 'configuration-set',
        resourceName: set.configurationSetName,
      });
    this.configurationSetArns = { transactional: arnOf(this.transactional), bulk: arnOf(this.bulk) };
    this.configurationSetNames = {
      transactional: this.transactional.configurationSetName,
      bulk: this.bulk.configurationSetName,
    };

    let dkimRecords: readonly ses.DkimRecord[] = [];
    if (props.adoptExistingIdentity) {
      this.identity = ses.EmailIdentity.fromEmailIdentityName(this, 'Domain', props.domain);
    } else {
      const created = new ses.EmailIdentity(this, 'Domain', {
        identity: ses.Identity.domain(props.domain),
        dkimIdentity: ses.DkimIdentity.easyDkim(ses.EasyDkimSigningKeyLength.RSA_2048_BIT),
        mailFromDomain: props.mailFromDomain,
        // Until the MX record is published (or if it disappears), mail still goes out with SES's
        // own MAIL FROM instead of being refused.
        mailFromBehaviorOnMxFailure: ses.MailFromBehaviorOnMxFailure.USE_DEFAULT_VALUE,
        // A send that names no configuration set still lands in a stream with metrics.
        configurationSet: this.transactional,
      });
      this.identity = created;
      dkimRecords = created.dkimRecords;
    }
    this.identityArn = this.identity.emailIdentityArn;

    this.dnsRecords = dnsRecordsOf(dkimRecords, stack.region, props);
    if (props.hostedZone !== undefined) {
      const skipped = new Set(props.skipDnsRecords ?? []);
      for (const record of this.dnsRecords.filter(({ kind }) => !skipped.has(kind))) {
        new route53.CfnRecordSet(this, record.id, {
          hostedZoneId: props.hostedZone.zoneId,
          name: record.name,
          type: record.type,
          ttl: '1800',
          resourceRecords: [record.value],
        });
      }
    }
  }
}

function dnsRecordsOf(
  dkimRecords: readonly ses.DkimRecord[],
  region: string,
  props: SendingIdentityProps,
): DnsRecord[] {
  const dkim = dkimRecords.map(
    (record, index): DnsRecord => ({
      id: `DkimRecord${index + 1}`,
      kind: 'dkim',
      name: record.name,
      type: 'CNAME',
      value: record.value,
      purpose: `DKIM key ${index + 1} of 3: receivers check the signature SES puts on every mail from ${props.domain}`,
    }),
  );
  const dmarc = [`v=DMARC1`, `p=${props.dmarc.policy}`];
  if (props.dmarc.reportAddress !== undefined) dmarc.push(`rua=mailto:${props.dmarc.reportAddress}`);
  const records: DnsRecord[] = [
    ...dkim,
    {
      id: 'MailFromMxRecord',
      kind: 'mailFromMx',
      name: props.mailFromDomain,
      type: 'MX',
      value: `10 feedback-smtp.${region}.amazonses.com`,
      purpose: 'MAIL FROM: bounces to the envelope sender go back to SES',
    },
    {
      id: 'MailFromSpfRecord',
      kind: 'mailFromSpf',
      name: props.mailFromDomain,
      type: 'TXT',
      value: '"v=spf1 include:amazonses.com ~all"',
      purpose:
        'SPF for the MAIL FROM domain: SES may send for it (aligns SPF with the From domain for DMARC)',
    },
    {
      id: 'DmarcRecord',
      kind: 'dmarc',
      name: `_dmarc.${props.domain}`,
      type: 'TXT',
      value: `"${dmarc.join('; ')}"`,
      purpose: `DMARC: what receivers do with mail claiming to be from ${props.domain} that fails DKIM and SPF`,
    },
  ];
  if (props.tracking.customDomain !== undefined) {
    records.push({
      id: 'TrackingDomainRecord',
      kind: 'tracking',
      name: props.tracking.customDomain,
      type: 'CNAME',
      value: `r.${region}.awstrack.me`,
      purpose: 'Custom tracking domain: tracked links and the open pixel point here, and it forwards to SES',
    });
  }
  return records;
}
