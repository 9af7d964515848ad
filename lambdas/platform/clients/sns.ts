import { SNSClient } from '@aws-sdk/client-sns';
import { idleClosingAgents } from './connections';

/** SNS: the product events topic, and the ops topic the reputation guard writes to. */
export const sns = new SNSClient({ requestHandler: idleClosingAgents() });
