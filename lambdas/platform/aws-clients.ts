import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

// Module singletons: created once per container and reused across invocations. Endpoints and
// credentials come from the SDK's standard resolution (AWS_ENDPOINT_URL_*, AWS_REGION, …), which is
// how local mode points them at the emulators.

// A hung DynamoDB connection fails in 1 s (connect) or 3 s (answer) instead of the SDK's unbounded
// wait: an upload's last write then ends well inside its lease minus its write window (10 s), and
// the api function answers before its own 10 s timeout (issue 11 review, S3).
export const dynamo = DynamoDBDocumentClient.from(
  new DynamoDBClient({ requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 } }),
  {
    marshallOptions: { removeUndefinedValues: true },
  },
);

// fauxqs (and some proxies) hand out queue URLs whose host is not the endpoint; with this off the
// client always talks to the resolved endpoint, in AWS as in local mode.
export const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });

/**
 * The client that sends mail. SDK retries are off: a throttled send goes back to SQS with a delay
 * (SQS redelivery is the retry loop), and a blind retry after a 5xx could mail someone twice.
 * The timeouts bound how long an answer can take, so a hung connection becomes "outcome unknown"
 * well inside the function timeout.
 */
export const sesForSending = new SESv2Client({
  maxAttempts: 1,
  requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000 },
});

/** For reads (GetAccount): the SDK's default retries are right here. */
export const sesForReading = new SESv2Client({});

export const sns = new SNSClient({});
