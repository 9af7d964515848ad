import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { OLDEST_MESSAGE_ALARM_MINUTES, SES_REVIEW_RATES } from '../contract/alarms';
import { DEFAULT_EVENTS_CONCURRENCY } from '../contract/queues';
import { REPUTATION_GUARD_DEFAULTS, TRANSIENT_BOUNCE_DEFAULTS } from '../contract/thresholds';

// Lower-case LDH labels; SES identities are case-insensitive, so one spelling avoids two stacks
// disagreeing about "the same" domain.
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
// Printable ASCII only: a non-ASCII display name would need RFC 2047 encoding before SES takes it.
const DISPLAY_NAME = /^[\x20-\x7e]+$/;
// Names made of these characters can stand unquoted in a From header (RFC 5322 atext plus spaces).
const ATEXT_PHRASE = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]+$/;

// One DNS label, e.g. the `bounce` of `bounce.mail.acme.com`.
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
// Route 53 hosted zone ids as the console and `aws route53 list-hosted-zones` show them, without
// the `/hostedzone/` prefix.
const ZONE_ID = /^Z[A-Z0-9]{1,32}$/;

const percent = (rate: number) => `${Number((rate * 100).toPrecision(3))}%`;
const BOUNCE_RATE_RANGE = `must be more than 0 and at most ${SES_REVIEW_RATES.bounce} (${percent(SES_REVIEW_RATES.bounce)}, where SES reviews the account)`;
const COMPLAINT_RATE_RANGE = `must be more than 0 and at most ${SES_REVIEW_RATES.complaint} (${percent(SES_REVIEW_RATES.complaint)}, where SES reviews the account)`;

/**
 * The kinds of DNS record the stack writes into a hosted zone, as `skipDnsRecords` names them:
 * the 3 DKIM CNAMEs, the MAIL FROM MX and SPF TXT, the DMARC TXT, the tracking CNAME.
 */
const DNS_RECORD_KINDS = ['dkim', 'mailFromMx', 'mailFromSpf', 'dmarc', 'tracking'] as const;
/** One kind of DNS record, see {@link DNS_RECORD_KINDS}. */
export type DnsRecordKind = (typeof DNS_RECORD_KINDS)[number];

const domainName = (example: string) =>
  z
    .string()
    .trim()
    .toLowerCase()
    // A trailing dot (the fully qualified spelling some DNS tools print) means the same domain.
    .transform((value) => value.replace(/\.$/, ''))
    .pipe(z.string().regex(DOMAIN, `must be a domain name such as ${example}`));

/** Whether `domain` is `parent` itself or lies below it. */
const isWithin = (domain: string, parent: string): boolean =>
  domain === parent || domain.endsWith(`.${parent}`);

/**
 * One client's deployment: which account and region, which domain it sends from, and the knobs
 * an integrator may turn. Unknown keys are rejected so a typo fails the synth instead of being
 * silently ignored.
 */
const clientConfigSchema = z
  .strictObject({
    account: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id'),
    region: z
      .string()
      .regex(/^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/, 'must be an AWS region such as eu-west-1'),
    stackName: z
      .string()
      .regex(
        /^[A-Za-z][A-Za-z0-9-]{0,127}$/,
        'must start with a letter and hold only letters, digits and hyphens (at most 128)',
      )
      .optional(),
    sendingDomain: domainName('mail.example.com'),
    /**
     * A public Route 53 zone that holds the sending domain. Given by id and name (not looked up)
     * so a synth needs no AWS credentials.
     */
    hostedZone: z
      .strictObject({
        zoneId: z
          .string()
          .trim()
          .regex(ZONE_ID, 'must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ'),
        zoneName: domainName('example.com'),
      })
      .optional(),
    fromAddress: z.email('must be an email address'),
    fromName: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(64, 'must be at most 64 characters')
      .regex(DISPLAY_NAME, 'must be printable ASCII on one line')
      .optional(),
    replyTo: z.email('must be an email address').optional(),
    mailFromSubdomain: z
      .string()
      .trim()
      .toLowerCase()
      .regex(LABEL, 'must be one DNS label such as bounce (letters, digits and inner hyphens)')
      .default('bounce'),
    dmarc: z
      .strictObject({
        policy: z
          .enum(['none', 'quarantine', 'reject'], 'must be one of none, quarantine, reject')
          .default('none'),
        reportAddress: z.email('must be an email address').optional(),
      })
      .prefault({}),
    alarmEmails: z
      .array(z.email('must be an email address'), 'must be a list of email addresses')
      .default([])
      .superRefine((emails, ctx) => {
        const seen = new Set<string>();
        emails.forEach((email, index) => {
          if (seen.has(email.toLowerCase())) {
            ctx.addIssue({ code: 'custom', path: [index], message: `lists ${email} twice` });
          }
          seen.add(email.toLowerCase());
        });
      }),
    oldestMessageAlarmMinutes: z
      .number()
      .int('must be a whole number of minutes')
      .min(1, 'must be at least 1')
      // SQS keeps a message at most 14 days.
      .max(20_160, 'must be at most 20160 (14 days, the longest SQS keeps a message)')
      .default(OLDEST_MESSAGE_ALARM_MINUTES),
    maxSendRate: z.number().positive('must be a positive number of emails per second').optional(),
    senderConcurrency: z
      .number()
      .int('must be a whole number')
      // An SQS event source's maximum concurrency cannot go below 2.
      .min(2, 'must be at least 2 (the minimum maximum concurrency of an SQS event source)')
      .default(2),
    // The bulk stream's share of the sender: reserved concurrency is senderConcurrency plus this,
    // and the bulk queue's event source runs at most this many batches at once.
    bulkSenderConcurrency: z
      .number()
      .int('must be a whole number')
      .min(2, 'must be at least 2 (the minimum maximum concurrency of an SQS event source)')
      .default(2),
    // Batches of SES events the events function takes at once (contract/queues.ts,
    // DEFAULT_EVENTS_CONCURRENCY): raise it with the send rate, about one per 50 mails a second
    // (README Performance (g)). Not reserved: the event source caps it.
    eventsConcurrency: z
      .number()
      .int('must be a whole number')
      .min(2, 'must be at least 2 (the minimum maximum concurrency of an SQS event source)')
      .max(1000, 'must be at most 1000 (the maximum concurrency of an SQS event source)')
      .default(DEFAULT_EVENTS_CONCURRENCY),
    // Concurrency reserved for the sender: a number (at least senderConcurrency +
    // bulkSenderConcurrency), or "off" to reserve nothing and let the event sources' maximum
    // concurrency be the only cap. Lambda refuses any reservation that leaves fewer than 100
    // unreserved, so an account with a quota of 10 or 50 needs "off" or a quota increase
    // (`npm run preflight` says which); see senderReservationOf.
    senderReservedConcurrency: z
      .union(
        [z.literal('off'), z.number().int('must be a whole number').min(1, 'must be at least 1')],
        'must be a whole number or "off"',
      )
      .optional(),
    // Two Mailroom stacks in one account and region share one MaxSendRate: each paces to this
    // fraction of it, and the shares of all stacks there must add up to at most 1.
    sendRateShare: z
      .number()
      .gt(0, 'must be more than 0 and at most 1 (a fraction of the account MaxSendRate)')
      .max(1, 'must be more than 0 and at most 1 (a fraction of the account MaxSendRate)')
      .default(1),
    // An SES identity for the sending domain that already exists (made in the console or by
    // another tool): the stack uses it instead of creating one, which would fail with "already
    // exists". Its DKIM and MAIL FROM settings stay as they are; `npm run preflight` shows them.
    adoptExistingIdentity: z.boolean().default(false),
    // DNS records the hosted zone already has (an existing _dmarc TXT, a MAIL FROM MX): the stack
    // does not write them, since a record of the same name and type makes the create fail.
    skipDnsRecords: z
      .array(
        z.enum(DNS_RECORD_KINDS, `must each be one of ${DNS_RECORD_KINDS.join(', ')}`),
        'must be a list of record kinds',
      )
      .default([]),
    // When the bounce or complaint rate of the last 24 hours of bulk mail reaches these, bulk
    // sending pauses by itself. The maxima are SES's review levels: a guard above them is no guard.
    reputationGuard: z
      .strictObject({
        bounceRate: z
          .number()
          .gt(0, BOUNCE_RATE_RANGE)
          .max(SES_REVIEW_RATES.bounce, BOUNCE_RATE_RANGE)
          .default(REPUTATION_GUARD_DEFAULTS.bounceRate),
        complaintRate: z
          .number()
          .gt(0, COMPLAINT_RATE_RANGE)
          .max(SES_REVIEW_RATES.complaint, COMPLAINT_RATE_RANGE)
          .default(REPUTATION_GUARD_DEFAULTS.complaintRate),
        minimumSample: z
          .number()
          .int('must be a whole number of bulk mails')
          .min(1, 'must be at least 1')
          .default(REPUTATION_GUARD_DEFAULTS.minimumSample),
      })
      .prefault({}),
    // Soft bounces suppress an address once there are `limit` of them within `windowDays`.
    transientBounces: z
      .strictObject({
        limit: z
          .number()
          .int('must be a whole number')
          .min(1, 'must be at least 1')
          .default(TRANSIENT_BOUNCE_DEFAULTS.limit),
        windowDays: z
          .number()
          .positive('must be a positive number of days')
          .max(365, 'must be at most 365 days')
          .default(TRANSIENT_BOUNCE_DEFAULTS.windowDays),
      })
      .prefault({}),
    tracking: z
      .strictObject({
        opens: z.boolean().default(false),
        clicks: z.boolean().default(false),
        customDomain: domainName('track.mail.example.com').optional(),
        // SES refuses a custom tracking domain until the sending domain is verified, so a first
        // deploy cannot set it: the integrator says here that verification is done.
        sendingDomainVerified: z.boolean().default(false),
      })
      .prefault({}),
    retainData: z.boolean().default(true),
    /** The campaign console behind CloudFront with Cognito sign-in (issue 15). */
    console: z
      .strictObject({
        /**
         * Off unless asked for: a brand-new AWS account can be refused its first CloudFront
         * distribution ("Your account must be verified before you can add new CloudFront resources",
         * 403 AccessDenied, until AWS Support verifies the account: aws-samples/aws-cdk-examples#279,
         * anomalyco/sst#3704), which would roll back the whole first deploy. Turn it on in a later
         * deploy (README "Console").
         * @default false
         */
        enabled: z.boolean().default(false),
        /**
         * The Cognito sign-in domain's prefix, unique in the region across every AWS account.
         * Default: the stack name and account id, lower-cased.
         */
        signInDomainPrefix: z
          .string()
          .regex(
            /^(?!.*(?:aws|amazon|cognito))[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
            'must be 1-63 lower-case letters, digits and hyphens, without "aws", "amazon" or "cognito"',
          )
          .optional(),
      })
      .prefault({}),
  })
  .superRefine((config, ctx) => {
    const domain = config.fromAddress.slice(config.fromAddress.lastIndexOf('@') + 1).toLowerCase();
    if (domain !== config.sendingDomain) {
      ctx.addIssue({
        code: 'custom',
        path: ['fromAddress'],
        message: `must be an address at the sending domain ${config.sendingDomain} (got ${config.fromAddress})`,
      });
    }
    if (config.hostedZone !== undefined && !isWithin(config.sendingDomain, config.hostedZone.zoneName)) {
      ctx.addIssue({
        code: 'custom',
        path: ['hostedZone', 'zoneName'],
        message: `must be the sending domain ${config.sendingDomain} or a parent of it (got ${config.hostedZone.zoneName})`,
      });
    }
    const { customDomain } = config.tracking;
    if (customDomain !== undefined) {
      // SES accepts a custom redirect domain only if it is verified; below the sending domain,
      // the domain identity this stack verifies covers it.
      if (customDomain === config.sendingDomain || !isWithin(customDomain, config.sendingDomain)) {
        ctx.addIssue({
          code: 'custom',
          path: ['tracking', 'customDomain'],
          message: `must be a subdomain of the sending domain, such as track.${config.sendingDomain} (got ${customDomain})`,
        });
      } else if (customDomain === `${config.mailFromSubdomain}.${config.sendingDomain}`) {
        ctx.addIssue({
          code: 'custom',
          path: ['tracking', 'customDomain'],
          message:
            'must differ from the MAIL FROM domain (mailFromSubdomain), which carries MX and SPF records',
        });
      }
      // SES answers InvalidTrackingOptions for a redirect domain that is not verified yet, and the
      // domain identity this stack creates is verified only after its DKIM records are published:
      // https://docs.aws.amazon.com/ses/latest/dg/configure-custom-open-click-domains.html
      if (!config.tracking.sendingDomainVerified) {
        ctx.addIssue({
          code: 'custom',
          path: ['tracking', 'customDomain'],
          message:
            'needs a verified sending domain (SES refuses an unverified tracking domain with ' +
            'InvalidTrackingOptions): deploy first without tracking.customDomain, publish the DNS ' +
            'records, wait until `npm run preflight` reports the identity verified, then add ' +
            'customDomain with tracking.sendingDomainVerified: true and deploy again',
        });
      }
      if (!config.tracking.opens && !config.tracking.clicks) {
        ctx.addIssue({
          code: 'custom',
          path: ['tracking', 'customDomain'],
          message: 'has no effect unless tracking.opens or tracking.clicks is true',
        });
      }
    }
    const minimumReservation = config.senderConcurrency + config.bulkSenderConcurrency;
    const reservation = config.senderReservedConcurrency;
    if (typeof reservation === 'number' && reservation < minimumReservation) {
      ctx.addIssue({
        code: 'custom',
        path: ['senderReservedConcurrency'],
        message: `must be at least senderConcurrency + bulkSenderConcurrency (${minimumReservation}), or "off": with less, the event sources pull batches the function cannot run and throttled batches drift toward the dead-letter queues`,
      });
    }
    // An explicit maxSendRate is an absolute figure that no share divides; a stack that shares the
    // account's rate says so with its share alone, or two fixed rates could add up past SES's.
    if (config.maxSendRate !== undefined && config.sendRateShare !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['maxSendRate'],
        message:
          'cannot be combined with sendRateShare: maxSendRate is an absolute rate, sendRateShare a ' +
          "fraction of the account's; give one of them (the preflight checks that the stacks of an " +
          'account together stay under its MaxSendRate)',
      });
    }
    if (config.skipDnsRecords.length > 0 && config.hostedZone === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['skipDnsRecords'],
        message: 'has no effect without hostedZone: without a zone the stack writes no records',
      });
    }
  });

/** A validated client config with defaults applied. */
export type ClientConfig = z.output<typeof clientConfigSchema>;

/** Thrown when a client config cannot be read or does not validate; the message names each field. */
export class InvalidConfigError extends Error {
  override readonly name = 'InvalidConfigError';
}

/** Fields earlier versions took, and what to do instead: a config that has one is told why it fails. */
const REMOVED_FIELDS: Record<string, string> = {
  transactionalShare:
    'no longer used: both streams share one send schedule, transactional mail first and bulk mail ' +
    'taking what is left, so nothing is reserved; remove the field',
};

/**
 * Validates a parsed config file.
 *
 * @param input the parsed JSON
 * @param source where it came from, quoted in the error message
 * @throws InvalidConfigError listing every bad field as `field: reason`
 */
export function parseClientConfig(input: unknown, source = 'client config'): ClientConfig {
  const result = clientConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map(
          (key) =>
            `  - ${[...issue.path, key].join('.')}: ${(issue.path.length === 0 && REMOVED_FIELDS[key]) || 'unknown field (check the spelling)'}`,
        )
      : [`  - ${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`],
  );
  throw new InvalidConfigError(`Invalid client config ${source}:\n${problems.join('\n')}`);
}

/**
 * Reads and validates one client config file.
 *
 * @throws InvalidConfigError when the file is missing, is not JSON, or does not validate
 */
export function loadClientConfig(path: string): ClientConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new InvalidConfigError(`Cannot read client config ${path}: ${reason}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidConfigError(`Client config ${path} is not valid JSON: ${(error as Error).message}`);
  }
  return parseClientConfig(json, path);
}

/** The CloudFormation stack name: the configured one, or one derived from the sending domain. */
export function stackNameOf(config: ClientConfig): string {
  return config.stackName ?? `Mailroom-${config.sendingDomain.replaceAll('.', '-')}`;
}

/** Cognito's limit on a domain prefix. */
const DOMAIN_PREFIX_MAX = 63;

/**
 * The console's Cognito sign-in domain prefix: the configured one, else the stack name and account
 * (unique per account; Cognito refuses "aws", "amazon" and "cognito" in it). A stack name too long
 * to fit is cut and followed by a hash of the whole name, so two long names that differ only past
 * the cut still get different prefixes.
 */
export function signInDomainPrefixOf(config: ClientConfig): string {
  if (config.console.signInDomainPrefix !== undefined) return config.console.signInDomainPrefix;
  const stack = stackNameOf(config)
    .toLowerCase()
    .replace(/aws|amazon|cognito/g, 'x')
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^-+/, '');
  const whole = `${stack}-${config.account}`;
  if (whole.length <= DOMAIN_PREFIX_MAX) return whole;
  // Hex digits cannot spell "aws", "amazon" or "cognito".
  const hash = createHash('sha256').update(stack).digest('hex').slice(0, 8);
  const room = DOMAIN_PREFIX_MAX - `--${hash}-${config.account}`.length;
  return `${stack.slice(0, room).replace(/-+$/, '')}-${hash}-${config.account}`;
}

/** The MAIL FROM (envelope sender) domain, e.g. `bounce.mail.acme.com`. */
export function mailFromDomainOf(config: ClientConfig): string {
  return `${config.mailFromSubdomain}.${config.sendingDomain}`;
}

/** The default From header value, e.g. `Acme <no-reply@mail.acme.com>`, or the bare address. */
export function defaultFromOf(config: ClientConfig): string {
  if (config.fromName === undefined) return config.fromAddress;
  // Quoted when it could read as RFC 2047 encoded-words (`=?…?=`), which the API decodes unquoted.
  const name =
    ATEXT_PHRASE.test(config.fromName) && !config.fromName.includes('=?')
      ? config.fromName
      : `"${config.fromName.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
  return `${name} <${config.fromAddress}>`;
}

/**
 * The sender's reserved concurrency: the configured number, none for "off", and by default
 * senderConcurrency + bulkSenderConcurrency (what both event sources may run at once).
 */
export function senderReservationOf(config: ClientConfig): number | undefined {
  const reservation = config.senderReservedConcurrency;
  if (reservation === 'off') return undefined;
  return reservation ?? config.senderConcurrency + config.bulkSenderConcurrency;
}

/**
 * Lambda keeps at least this much of the account's concurrency unreserved: a reservation that
 * leaves less fails the create with "Specified ReservedConcurrentExecutions for function decreases
 * account's UnreservedConcurrentExecution below its minimum value"
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html: "You can reserve up
 * to the Unreserved account concurrency value minus 100"; seen on new accounts with quotas of 10 and
 * 50 in aws-samples/one-observability-demo#278 and aws-samples/alarm-context-tool#2).
 */
export const LAMBDA_MINIMUM_UNRESERVED = 100;
