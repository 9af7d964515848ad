import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** Secrets Manager: the unsubscribe key, read once per container (feedback/adapters/unsubscribe-secret.ts). */
export const secretsManager = new SecretsManagerClient({});
