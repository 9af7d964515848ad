import { SNSClient } from '@aws-sdk/client-sns';

/** SNS: the product events topic, and the ops topic the reputation guard writes to. */
export const sns = new SNSClient({});
