import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { shortCallConnections } from './connections';

// One client module per AWS service, imported by the adapters that call it: a function's bundle
// holds the clients its adapters use and no other. Each is created once per container and reused
// across invocations; endpoints and credentials come from the SDK's standard resolution
// (AWS_ENDPOINT_URL_*, AWS_REGION, …), which is how local mode points them at the emulators.

/**
 * DynamoDB, through the document client. A hung connection fails in 1 s (connect) or 3 s (answer)
 * instead of the SDK's unbounded wait: an upload's last write then ends well inside its lease minus
 * its write window (10 s), and the api function answers before its own 10 s timeout (issue 11
 * review, S3). Idle connections are closed before the server closes them (connections.ts): the
 * SDK retries an ECONNRESET, and a retried conditional write that had succeeded reads as lost.
 */
export const dynamo = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    requestHandler: shortCallConnections({ connectionTimeoutMs: 1_000, silenceTimeoutMs: 3_000 }),
  }),
  { marshallOptions: { removeUndefinedValues: true } },
);
