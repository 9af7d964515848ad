import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { readEnvironment } from '../../platform/environment';

const MIN_SECRET_LENGTH = 32;

/**
 * The key that signs one-click unsubscribe tokens. In AWS it lives in Secrets Manager
 * (UNSUBSCRIBE_SECRET_ARN) and is read once per container; local mode passes it directly
 * (UNSUBSCRIBE_SECRET). Too short a key is refused: a guessable key would let anyone unsubscribe
 * anyone.
 */
export async function readUnsubscribeSecret(): Promise<string> {
  const env = readEnvironment({
    UNSUBSCRIBE_SECRET: z.string().min(MIN_SECRET_LENGTH).optional(),
    UNSUBSCRIBE_SECRET_ARN: z.string().min(1).optional(),
  });
  if (env.UNSUBSCRIBE_SECRET) return env.UNSUBSCRIBE_SECRET;
  if (!env.UNSUBSCRIBE_SECRET_ARN)
    throw new Error('Invalid environment: set UNSUBSCRIBE_SECRET_ARN (or UNSUBSCRIBE_SECRET)');
  const result = await new SecretsManagerClient({}).send(
    new GetSecretValueCommand({ SecretId: env.UNSUBSCRIBE_SECRET_ARN }),
  );
  const secret = result.SecretString ?? '';
  if (secret.length < MIN_SECRET_LENGTH)
    throw new Error('The unsubscribe secret is shorter than 32 characters');
  return secret;
}
