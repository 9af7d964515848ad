import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { tracer } from '../observability';

/** Secrets Manager: the unsubscribe key, read once per container (feedback/adapters/unsubscribe-secret.ts). */
export const secretsManager = tracer.captureAWSv3Client(new SecretsManagerClient({}));
