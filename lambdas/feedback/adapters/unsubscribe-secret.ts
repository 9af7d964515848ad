import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { MIN_UNSUBSCRIBE_SECRET_LENGTH } from '../../platform/environment';

/** Where a function finds the unsubscribe key: its variables of the deployment contract. */
export interface UnsubscribeSecretSource {
  /** Secrets Manager, in AWS. */
  UNSUBSCRIBE_SECRET_ARN?: string | undefined;
  /** The key itself, in local mode. */
  UNSUBSCRIBE_SECRET?: string | undefined;
}

/**
 * The key that signs one-click unsubscribe tokens, read once per container and kept: in AWS from
 * Secrets Manager (UNSUBSCRIBE_SECRET_ARN), in local mode straight from UNSUBSCRIBE_SECRET. A read
 * that fails is tried again on the next call rather than remembered. Too short a key is refused: a
 * guessable key would let anyone unsubscribe anyone.
 */
export function unsubscribeSecretReader(
  source: UnsubscribeSecretSource,
  secretsManager: Pick<SecretsManagerClient, 'send'>,
): () => Promise<string> {
  let cached: Promise<string> | undefined;
  return () => {
    cached ??= read(source, secretsManager).catch((error: unknown) => {
      cached = undefined;
      throw error;
    });
    return cached;
  };
}

async function read(source: UnsubscribeSecretSource, secretsManager: Pick<SecretsManagerClient, 'send'>) {
  if (source.UNSUBSCRIBE_SECRET) return source.UNSUBSCRIBE_SECRET;
  if (!source.UNSUBSCRIBE_SECRET_ARN)
    throw new Error('Invalid environment: set UNSUBSCRIBE_SECRET_ARN (or UNSUBSCRIBE_SECRET)');
  const result = await secretsManager.send(
    new GetSecretValueCommand({ SecretId: source.UNSUBSCRIBE_SECRET_ARN }),
  );
  const secret = result.SecretString ?? '';
  if (secret.length < MIN_UNSUBSCRIBE_SECRET_LENGTH)
    throw new Error(`The unsubscribe secret is shorter than ${MIN_UNSUBSCRIBE_SECRET_LENGTH} characters`);
  return secret;
}
