import { SQSClient } from '@aws-sdk/client-sqs';
import { idleClosingAgents } from './connections';

/**
 * SQS. fauxqs (and some proxies) hand out queue URLs whose host is not the endpoint; with
 * `useQueueUrlAsEndpoint` off the client always talks to the resolved endpoint, in AWS as in local
 * mode.
 */
export const sqs = new SQSClient({ useQueueUrlAsEndpoint: false, requestHandler: idleClosingAgents() });
