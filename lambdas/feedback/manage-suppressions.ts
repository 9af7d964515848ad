import * as z from 'zod';
import { AddressError, normalizeAddress, parseMailbox } from '../mail/addresses';
import { badRequest, notFound } from '../requests/errors';
import { parseRequest } from '../requests/validation';
import type { AccountSuppressionList, SuppressionList } from './ports';
import { SUPPRESSION_REASONS, type Suppression, type SuppressionReason } from './suppression';
import { suppressionReasonSchema, suppressionScopeSchema } from './suppression-response';

const MAX_DETAIL_LENGTH = 500;

export function suppressionKey(raw: string): string {
  try {
    return normalizeAddress(parseMailbox(raw).address);
  } catch (error) {
    if (error instanceof AddressError)
      throw badRequest('invalid_email', `"${raw.slice(0, 254)}" ${error.message}`);
    throw error;
  }
}

export function reasonFilter(raw: string | undefined): SuppressionReason | undefined {
  if (raw === undefined) return undefined;
  if (!(SUPPRESSION_REASONS as readonly string[]).includes(raw)) {
    throw badRequest('invalid_reason', `reason must be one of ${SUPPRESSION_REASONS.join(', ')}`);
  }
  return raw as SuppressionReason;
}

/** The body of `PUT /v1/suppressions/{email}` (none at all: `manual`, every stream). */
export const putSuppressionSchema = z
  .strictObject({
    reason: suppressionReasonSchema.default('manual'),
    scope: suppressionScopeSchema
      .default('all')
      .meta({ description: '`all`: every stream; `bulk`: campaigns only, transactional mail still goes.' }),
    detail: z
      .string()
      .max(MAX_DETAIL_LENGTH)
      .optional()
      .meta({ description: 'A note for people. An empty string stores no detail.' }),
  })
  .meta({
    id: 'SuppressionInput',
    description:
      'Unknown fields are rejected. No body (or `{}`) means `reason: manual`, `scope: all`, no detail.',
  });

export async function getSuppression(raw: string, store: SuppressionList): Promise<Suppression> {
  const email = suppressionKey(raw);
  const entry = await store.get(email);
  if (!entry) throw notFound(`${email} is not suppressed`);
  return entry;
}

/** `PUT /v1/suppressions/{email}`: add or replace an entry by hand. */
export async function putSuppression(
  raw: string,
  body: unknown,
  deps: { suppressions: SuppressionList; now: () => Date },
): Promise<{ entry: Suppression; created: boolean }> {
  const email = suppressionKey(raw);
  const request = parseRequest(putSuppressionSchema, body);
  const existing = await deps.suppressions.get(email);
  const entry: Suppression = {
    email,
    reason: request.reason,
    scope: request.scope,
    ...(request.detail ? { detail: request.detail } : {}),
    createdAt: existing?.createdAt ?? deps.now().toISOString(),
  };
  await deps.suppressions.put(entry);
  return { entry, created: !existing };
}

/** `DELETE /v1/suppressions/{email}`: mail may reach the address again, SES's account-level list included. */
export async function deleteSuppression(
  raw: string,
  deps: { suppressions: SuppressionList; accountSuppressions: AccountSuppressionList },
): Promise<void> {
  const email = suppressionKey(raw);
  // SES's list first: if that call fails, Mailroom's entry is still there and a retry does it all.
  const ses = await deps.accountSuppressions.remove(email);
  const ours = await deps.suppressions.delete(email);
  if (!ours && !ses) throw notFound(`${email} is not suppressed`);
}
