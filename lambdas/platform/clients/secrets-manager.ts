import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { idleClosingAgents } from './connections';

/** Secrets Manager: the unsubscribe key, read once per container (feedback/adapters/unsubscribe-secret.ts). */
export const secretsManager = new SecretsManagerClient({ requestHandler: idleClosingAgents() });
