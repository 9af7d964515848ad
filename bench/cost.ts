import type { Tally } from './support/aws-calls';

/**
 * AWS list prices, us-east-1, on demand, in US dollars, as checked on 2026-11-22 (free tiers left
 * out). Sources: aws.amazon.com/dynamodb/pricing/on-demand, aws.amazon.com/sqs/pricing,
 * aws.amazon.com/lambda/pricing, aws.amazon.com/api-gateway/pricing, aws.amazon.com/ses/pricing.
 * DynamoDB's on-demand prices were halved on 2024-11-01 (from $1.25 and $0.25 per million).
 */
export const PRICES = {
  checkedOn: '2026-11-22',
  region: 'us-east-1',
  dynamoDbPerMillionWriteUnits: 0.625,
  dynamoDbPerMillionReadUnits: 0.125,
  sqsPerMillionRequests: 0.4,
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaPerMillionRequests: 0.2,
  apiGatewayRestPerMillionRequests: 3.5,
  sesPerThousandMails: 0.1,
} as const;

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
  perMillion: Record<'dynamodb' | 'sqs' | 'lambda' | 'apiGateway', number>;
}

export function costPart(
  name: string,
  tally: Tally,
  mails: number,
  options: { apiGatewayRequests?: number; lambdaMs?: number; lambdaInvocations?: number } = {},
): CostPart {
  const per = (n: number) => n / mails;
  const requestsPerMail: Record<string, number> = {};
  for (const [call, n] of Object.entries(tally.calls)) requestsPerMail[call] = per(n);
  const invocations =
    options.lambdaInvocations ?? Object.values(tally.invocations).reduce((sum, i) => sum + i.count, 0);
  const lambdaMs = options.lambdaMs ?? Object.values(tally.invocations).reduce((sum, i) => sum + i.ms, 0);
  requestsPerMail['Lambda.Invoke'] = per(invocations);
  if (options.apiGatewayRequests) requestsPerMail['APIGateway.Request'] = per(options.apiGatewayRequests);
  const sqsRequests = Object.entries(tally.calls)
    .filter(([call]) => call.startsWith('SQS.'))
    .reduce((sum, [, n]) => sum + n, 0);
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
  /** Overhead beyond SES, dollars per million mails, by service and in total. */
  perMillion: Record<'dynamodb' | 'sqs' | 'lambda' | 'apiGateway' | 'total', number>;
  sesPerMillion: number;
  /** The calls that cost most per million mails, with their share of the overhead. */
  dominant: { call: string; dollars: number }[];
}

export function summarizeCost(stream: string, parts: CostPart[], tallies: { tally: Tally; mails: number }[]) {
  const perMillion = { dynamodb: 0, sqs: 0, lambda: 0, apiGateway: 0, total: 0 };
  for (const part of parts) {
    for (const key of ['dynamodb', 'sqs', 'lambda', 'apiGateway'] as const) {
      perMillion[key] += part.perMillion[key];
      perMillion.total += part.perMillion[key];
    }
  }
  // Dollars per million mails for each DynamoDB and SQS call, to name what dominates.
  const byCall = new Map<string, number>();
  for (const { tally, mails } of tallies) {
    for (const [call, units] of Object.entries(tally.unitsByCall)) {
      const isWrite = /\.(PutItem|UpdateItem|DeleteItem|BatchWriteItem)( |$)/.test(call);
      const price = isWrite ? PRICES.dynamoDbPerMillionWriteUnits : PRICES.dynamoDbPerMillionReadUnits;
      byCall.set(call, (byCall.get(call) ?? 0) + (units / mails) * price);
    }
    for (const [call, n] of Object.entries(tally.calls)) {
      if (call.startsWith('SQS.')) {
        byCall.set(call, (byCall.get(call) ?? 0) + (n / mails) * PRICES.sqsPerMillionRequests);
      }
    }
  }
  for (const part of parts) {
    byCall.set(`Lambda (${part.name})`, part.perMillion.lambda);
    if (part.perMillion.apiGateway > 0) byCall.set(`API Gateway (${part.name})`, part.perMillion.apiGateway);
  }
  const dominant = [...byCall.entries()]
    .map(([call, dollars]) => ({ call, dollars }))
    .sort((a, b) => b.dollars - a.dollars)
    .slice(0, 6);
  return {
    stream,
    parts,
    perMillion,
    sesPerMillion: PRICES.sesPerThousandMails * 1000,
    dominant,
  } satisfies CostSummary;
}
