import { SNSClient } from '@aws-sdk/client-sns';
import { tracer } from '../observability';

/** SNS: the product events topic, and the ops topic the reputation guard writes to. */
export const sns = tracer.captureAWSv3Client(new SNSClient({}));
