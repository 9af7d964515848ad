import { readFileSync } from 'node:fs';
import { z } from 'zod';

// Lower-case LDH labels; SES identities are case-insensitive, so one spelling avoids two stacks
// disagreeing about "the same" domain.
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
// Printable ASCII only: a non-ASCII display name would need RFC 2047 encoding before SES takes it.
const DISPLAY_NAME = /^[\x20-\x7e]+$/;
// Names made of these characters can stand unquoted in a From header (RFC 5322 atext plus spaces).
const ATEXT_PHRASE = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]+$/;

/**
 * One client's deployment: which account and region, which domain it sends from, and the knobs
 * an integrator may turn. Unknown keys are rejected so a typo fails the synth instead of being
 * silently ignored.
 */
export const clientConfigSchema = z
  .strictObject({
    account: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id'),
    region: z
      .string()
      .regex(/^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/, 'must be an AWS region such as eu-west-1'),
    stackName: z
      .string()
      .regex(
        /^[A-Za-z][A-Za-z0-9-]{0,127}$/,
        'must start with a letter and hold only letters, digits and hyphens (at most 128)',
      )
      .optional(),
    sendingDomain: z
      .string()
      .trim()
      .toLowerCase()
      .regex(DOMAIN, 'must be a domain name such as mail.example.com'),
    fromAddress: z.email('must be an email address'),
    fromName: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(64, 'must be at most 64 characters')
      .regex(DISPLAY_NAME, 'must be printable ASCII on one line')
      .optional(),
    maxSendRate: z.number().positive('must be a positive number of emails per second').optional(),
    senderConcurrency: z
      .number()
      .int('must be a whole number')
      // An SQS event source's maximum concurrency cannot go below 2.
      .min(2, 'must be at least 2 (the minimum maximum concurrency of an SQS event source)')
      .default(2),
    retainData: z.boolean().default(true),
  })
  .superRefine((config, ctx) => {
    const domain = config.fromAddress.slice(config.fromAddress.lastIndexOf('@') + 1).toLowerCase();
    if (domain !== config.sendingDomain) {
      ctx.addIssue({
        code: 'custom',
        path: ['fromAddress'],
        message: `must be an address at the sending domain ${config.sendingDomain} (got ${config.fromAddress})`,
      });
    }
  });

/** A validated client config with defaults applied. */
export type ClientConfig = z.output<typeof clientConfigSchema>;

/** Thrown when a client config cannot be read or does not validate; the message names each field. */
export class InvalidConfigError extends Error {
  override readonly name = 'InvalidConfigError';
}

/**
 * Validates a parsed config file.
 *
 * @param input the parsed JSON
 * @param source where it came from, quoted in the error message
 * @throws InvalidConfigError listing every bad field as `field: reason`
 */
export function parseClientConfig(input: unknown, source = 'client config'): ClientConfig {
  const result = clientConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => `  - ${[...issue.path, key].join('.')}: unknown field (check the spelling)`)
      : [`  - ${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`],
  );
  throw new InvalidConfigError(`Invalid client config ${source}:\n${problems.join('\n')}`);
}

/**
 * Reads and validates one client config file.
 *
 * @throws InvalidConfigError when the file is missing, is not JSON, or does not validate
 */
export function loadClientConfig(path: string): ClientConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new InvalidConfigError(`Cannot read client config ${path}: ${reason}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidConfigError(`Client config ${path} is not valid JSON: ${(error as Error).message}`);
  }
  return parseClientConfig(json, path);
}

/** The CloudFormation stack name: the configured one, or one derived from the sending domain. */
export function stackNameOf(config: ClientConfig): string {
  return config.stackName ?? `Mailroom-${config.sendingDomain.replaceAll('.', '-')}`;
}

/** The default From header value, e.g. `Acme <no-reply@mail.acme.com>`, or the bare address. */
export function defaultFromOf(config: ClientConfig): string {
  if (config.fromName === undefined) return config.fromAddress;
  const name = ATEXT_PHRASE.test(config.fromName)
    ? config.fromName
    : `"${config.fromName.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
  return `${name} <${config.fromAddress}>`;
}
