import type { CostResult } from './scenarios/cost';
import type { Tally } from './support/aws-calls';

/**
 * AWS list prices, us-east-1, on demand, in US dollars, as checked on 2026-11-30 (free tiers left
 * out). Sources: aws.amazon.com/dynamodb/pricing/on-demand, aws.amazon.com/sqs/pricing,
 * aws.amazon.com/sns/pricing, aws.amazon.com/lambda/pricing, aws.amazon.com/api-gateway/pricing,
 * aws.amazon.com/ses/pricing. DynamoDB's on-demand prices were halved on 2024-11-01 (from $1.25 and
 * $0.25 per million). SNS: $0.50 per million publishes to a standard topic (a PublishBatch of up
 * to 10 is one request per 64 KB), deliveries to SQS free. API Gateway: the first 333 million REST
 * requests a month, the first 300 million HTTP API requests.
 */
export const PRICES = {
  checkedOn: '2026-11-30',
  region: 'us-east-1',
  dynamoDbPerMillionWriteUnits: 0.625,
  dynamoDbPerMillionReadUnits: 0.125,
  sqsPerMillionRequests: 0.4,
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaPerMillionRequests: 0.2,
  snsPerMillionPublishes: 0.5,
  apiGatewayRestPerMillionRequests: 3.5,
  apiGatewayHttpPerMillionRequests: 1.0,
  sesPerThousandMails: 0.1,
} as const;

/** SES events per accepted mail in the cost model: Send, Delivery, and one Open. */
export const EVENTS_PER_MAIL = ['Send', 'Delivery', 'Open'] as const;

/** Every Mailroom function has 512 MB (MailroomFunction's default). */
export const LAMBDA_MEMORY_GB = 0.5;

/** What one part of the path costs per mail, from what it was measured doing for `mails` mails. */
export interface CostPart {
  name: string;
  /** Requests per mail by `Service.Operation`, plus API Gateway and Lambda requests. */
  requestsPerMail: Record<string, number>;
  writeUnitsPerMail: number;
  readUnitsPerMail: number;
  lambdaGbSecondsPerMail: number;
  /** Dollars per million mails, by service. */
  perMillion: Record<Service, number>;
}

export type Service = 'dynamodb' | 'sqs' | 'sns' | 'lambda' | 'apiGateway';
const SERVICES: readonly Service[] = ['dynamodb', 'sqs', 'sns', 'lambda', 'apiGateway'];

export function costPart(
  name: string,
  tally: Tally,
  mails: number,
  options: {
    apiGatewayRequests?: number;
    lambdaMs?: number;
    lambdaInvocations?: number;
    /** Requests made outside the counted clients: an event source's receives and deletes. */
    extraSqsRequests?: number;
    /** Publishes made outside the counted clients: SES publishing its events. */
    extraSnsPublishes?: number;
  } = {},
): CostPart {
  const per = (n: number) => n / mails;
  const requestsPerMail: Record<string, number> = {};
  for (const [call, n] of Object.entries(tally.calls)) requestsPerMail[call] = per(n);
  const invocations =
    options.lambdaInvocations ?? Object.values(tally.invocations).reduce((sum, i) => sum + i.count, 0);
  const lambdaMs = options.lambdaMs ?? Object.values(tally.invocations).reduce((sum, i) => sum + i.ms, 0);
  requestsPerMail['Lambda.Invoke'] = per(invocations);
  if (options.apiGatewayRequests) requestsPerMail['APIGateway.Request'] = per(options.apiGatewayRequests);
  const requestsTo = (prefix: string) =>
    Object.entries(tally.calls)
      .filter(([call]) => call.startsWith(prefix))
      .reduce((sum, [, n]) => sum + n, 0);
  const sqsRequests = requestsTo('SQS.') + (options.extraSqsRequests ?? 0);
  const snsRequests = requestsTo('SNS.') + (options.extraSnsPublishes ?? 0);
  if (options.extraSqsRequests) requestsPerMail['SQS (event source)'] = per(options.extraSqsRequests);
  if (options.extraSnsPublishes) requestsPerMail['SNS.Publish (by SES)'] = per(options.extraSnsPublishes);
  const gbSeconds = (lambdaMs / 1000) * LAMBDA_MEMORY_GB;
  const million = 1_000_000;
  return {
    name,
    requestsPerMail,
    writeUnitsPerMail: per(tally.writeUnits),
    readUnitsPerMail: per(tally.readUnits),
    lambdaGbSecondsPerMail: per(gbSeconds),
    perMillion: {
      dynamodb:
        per(tally.writeUnits) * PRICES.dynamoDbPerMillionWriteUnits +
        per(tally.readUnits) * PRICES.dynamoDbPerMillionReadUnits,
      sqs: per(sqsRequests) * PRICES.sqsPerMillionRequests,
      sns: per(snsRequests) * PRICES.snsPerMillionPublishes,
      lambda:
        per(invocations) * PRICES.lambdaPerMillionRequests +
        per(gbSeconds) * PRICES.lambdaArmPerGbSecond * million,
      apiGateway: per(options.apiGatewayRequests ?? 0) * PRICES.apiGatewayRestPerMillionRequests,
    },
  };
}

export interface CostSummary {
  stream: string;
  parts: CostPart[];
  /** AWS overhead beyond SES's own price, dollars per million mails, by service. */
  perMillion: Record<Service, number>;
  /** The one figure: AWS overhead beyond SES, dollars per million mails. */
  overheadPerMillion: number;
  sesPerMillion: number;
  /** The calls that cost most per million mails. */
  dominant: { call: string; dollars: number }[];
}

/** Sums the parts of one stream's path into its overhead per million mails, and names what dominates. */
export function summarizeCost(
  stream: string,
  parts: CostPart[],
  tallies: { tally: Tally; mails: number }[],
): CostSummary {
  const perMillion: Record<Service, number> = { dynamodb: 0, sqs: 0, sns: 0, lambda: 0, apiGateway: 0 };
  for (const part of parts) for (const key of SERVICES) perMillion[key] += part.perMillion[key];
  const overheadPerMillion = SERVICES.reduce((sum, key) => sum + perMillion[key], 0);
  // Dollars per million mails for each DynamoDB call (by table), to name what dominates.
  const byCall = new Map<string, number>();
  for (const { tally, mails } of tallies) {
    for (const [call, units] of Object.entries(tally.unitsByCall)) {
      const isWrite = /\.(PutItem|UpdateItem|DeleteItem|BatchWriteItem)( |$)/.test(call);
      const price = isWrite ? PRICES.dynamoDbPerMillionWriteUnits : PRICES.dynamoDbPerMillionReadUnits;
      byCall.set(call, (byCall.get(call) ?? 0) + (units / mails) * price);
    }
  }
  for (const part of parts) {
    for (const key of ['sqs', 'sns', 'lambda', 'apiGateway'] as const) {
      if (part.perMillion[key] > 0) byCall.set(`${key} (${part.name})`, part.perMillion[key]);
    }
  }
  const dominant = [...byCall.entries()]
    .map(([call, dollars]) => ({ call, dollars }))
    .sort((a, b) => b.dollars - a.dollars)
    .slice(0, 6);
  return {
    stream,
    parts,
    perMillion,
    overheadPerMillion,
    sesPerMillion: PRICES.sesPerThousandMails * 1000,
    dominant,
  };
}

/** One request (or write) no design of Mailroom's shape can leave out, per mail. */
export interface FloorItem {
  what: string;
  perMillion: number;
}

/** The least any design of Mailroom's shape pays per million mails of a stream (see `costFloor`). */
export interface CostFloor {
  stream: 'transactional' | 'bulk';
  items: FloorItem[];
  /** With an HTTP API in front (the cheaper API Gateway). */
  perMillion: number;
  /** With the REST API the stack has now. */
  perMillionWithRestApi: number;
}

/**
 * A lower bound for the AWS overhead of a stream, whatever the implementation: only the requests
 * the shape itself makes, each at its list price, and no Lambda duration, no read, no index and no
 * retry. The shape: a transactional mail is one API request (API Gateway and a function), a
 * durable queue between the API and the sender (nothing accepted is lost; an OTP does not wait
 * for the sender), received and deleted ten at a time; bulk recipients arrive 1,000 an API call and
 * the fan-out queues them ten a SendMessageBatch; each mail leaves at least one record (a
 * transactional message for `GET /v1/emails/{id}` and idempotency, a campaign recipient for
 * exactly-once fan-out); and each SES event reaches the events function through SNS and a queue,
 * ten a batch (the suppression list needs Bounce and Complaint; the cost model counts
 * `eventsPerMail`: Send, Delivery, Open).
 *
 * When this floor is above a target, no lever inside the shape meets it: what is left is the
 * shape (a cheaper entry than API Gateway, fewer SES events, events by another route than SNS).
 */
export function costFloor(
  stream: 'transactional' | 'bulk',
  eventsPerMail: number = EVENTS_PER_MAIL.length,
): CostFloor {
  const BATCH = 10;
  const RECIPIENTS_PER_CALL = 1_000;
  const sqs = PRICES.sqsPerMillionRequests;
  const lambda = PRICES.lambdaPerMillionRequests;
  const write = PRICES.dynamoDbPerMillionWriteUnits;
  const entry = (apiPerMillion: number): FloorItem[] =>
    stream === 'transactional'
      ? [
          { what: 'API Gateway: one request a mail', perMillion: apiPerMillion },
          { what: 'api function: one invocation a mail', perMillion: lambda },
          { what: 'SQS: one SendMessage a mail', perMillion: sqs },
        ]
      : [
          {
            what: `API Gateway and api function: recipients ${RECIPIENTS_PER_CALL.toLocaleString('en-US')} a call`,
            perMillion: (apiPerMillion + lambda) / RECIPIENTS_PER_CALL,
          },
          { what: `SQS: the fan-out's SendMessageBatch, ${BATCH} a call`, perMillion: sqs / BATCH },
        ];
  const rest: FloorItem[] = [
    { what: `SQS: the sender's receive and delete, ${BATCH} a call`, perMillion: (2 * sqs) / BATCH },
    { what: `sender: one invocation per ${BATCH} mails`, perMillion: lambda / BATCH },
    {
      what: `DynamoDB: one write of the ${stream === 'transactional' ? 'message' : 'recipient'} (1 unit)`,
      perMillion: write,
    },
    {
      what: `SNS: SES publishes ${eventsPerMail} events a mail`,
      perMillion: eventsPerMail * PRICES.snsPerMillionPublishes,
    },
    {
      what: `SQS: the events queue's receive and delete, ${BATCH} events a call`,
      perMillion: (eventsPerMail * 2 * sqs) / BATCH,
    },
    {
      what: `events function: one invocation per ${BATCH} events`,
      perMillion: (eventsPerMail * lambda) / BATCH,
    },
  ];
  const sum = (items: FloorItem[]) => items.reduce((total, item) => total + item.perMillion, 0);
  const items = [...entry(PRICES.apiGatewayHttpPerMillionRequests), ...rest];
  return {
    stream,
    items,
    perMillion: sum(items),
    perMillionWithRestApi: sum([...entry(PRICES.apiGatewayRestPerMillionRequests), ...rest]),
  };
}

/**
 * The overhead of each stream from what bench/scenarios/cost.ts counted: the API (behind API
 * Gateway), the fan-out (bulk), the sender, and the feedback loop (SES's publishes to the events
 * topic, the events queue's event source, the events function and its writes).
 */
export function streamCosts(result: CostResult): Record<'transactional' | 'bulk', CostSummary> {
  const summarize = (stream: 'transactional' | 'bulk') => {
    const c = result[stream];
    const api = costPart('api', c.api, c.mails, {
      apiGatewayRequests: c.apiRequests,
      lambdaInvocations: c.apiRequests,
    });
    const parts = [
      api,
      ...(c.fanout ? [costPart('fan-out', c.fanout, c.mails)] : []),
      costPart('sender', c.sender, c.mails),
      costPart('feedback: SES events -> SNS -> SQS -> events', c.events, c.mails, {
        extraSqsRequests: c.eventSourceRequests,
        extraSnsPublishes: c.snsPublishes,
      }),
    ];
    const tallies = [c.api, ...(c.fanout ? [c.fanout] : []), c.sender, c.events].map((tally) => ({
      tally,
      mails: c.mails,
    }));
    return summarizeCost(stream, parts, tallies);
  };
  return { transactional: summarize('transactional'), bulk: summarize('bulk') };
}
