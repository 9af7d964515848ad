import { SESv2Client } from '@aws-sdk/client-sesv2';
import { idleClosingAgents, shortCallConnections } from './connections';

/**
 * The client that sends mail. SDK retries are off: a throttled send goes back to SQS with a delay
 * (SQS redelivery is the retry loop), and a blind retry after a 5xx could mail someone twice.
 * The timeouts bound how long an answer can take, so a hung connection becomes "outcome unknown"
 * well inside the function timeout; idle connections are closed before the server closes them, so
 * a send is never written onto a connection being closed (connections.ts).
 */
export const sesForSending = new SESv2Client({
  maxAttempts: 1,
  requestHandler: shortCallConnections({ connectionTimeoutMs: 3_000, silenceTimeoutMs: 10_000 }),
});

/** For reads (GetAccount, the account-level suppression list): the SDK's default retries are right here. */
export const sesForReading = new SESv2Client({ requestHandler: idleClosingAgents() });
