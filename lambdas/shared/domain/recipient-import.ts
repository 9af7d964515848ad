import { parse } from 'csv-parse/sync';
import { normalizeAddress } from './addresses';
import type { CampaignRecipient } from './campaign';
import { parseRecipientAddress, recipientRowSchema } from './campaign-request';
import { badRequest } from './errors';
import {
  MissingVariableError,
  renderContent,
  type TemplateContent,
  TemplateSyntaxError,
} from './template-rules';

export interface InvalidRow {
  row: number;
  email?: string;
  reason: string;
}

export interface CheckedRows {
  valid: CampaignRecipient[];
  invalid: InvalidRow[];
  /** Rows naming an address already named earlier in the same upload. */
  duplicates: number;
}

/**
 * Reads `text/csv`: a header row naming `email` and any data columns, one recipient per line.
 * Column values become the recipient's data (all strings); an empty cell is left out.
 */
export function rowsFromCsv(csv: string, maxRows: number): unknown[] {
  let records: Record<string, string>[];
  try {
    records = parse(csv, {
      columns: (header: string[]) => header.map((h) => h.trim()),
      bom: true,
      skip_empty_lines: true,
      trim: true,
    });
  } catch (error) {
    throw badRequest('invalid_csv', `The CSV cannot be read: ${(error as Error).message}`);
  }
  if (records.length > maxRows)
    throw badRequest('too_many_recipients', `At most ${maxRows} rows per call; got ${records.length}`);
  const first = records[0];
  if (first && !Object.keys(first).some((key) => key.toLowerCase() === 'email')) {
    throw badRequest('invalid_csv', 'The header row must have an "email" column');
  }
  return records.map((record) => {
    const data: Record<string, string> = {};
    let email = '';
    for (const [key, value] of Object.entries(record)) {
      if (key.toLowerCase() === 'email') email = value;
      else if (value !== '') data[key] = value;
    }
    return { email, data };
  });
}

/**
 * Checks each row on its own: a valid address, and data that renders the campaign without a missing
 * variable (so a broken mail is refused now, not sent later). Bad rows are reported, not fatal.
 */
export function checkRows(
  rows: unknown[],
  campaignId: string,
  content: TemplateContent,
  now: Date,
): CheckedRows {
  const seen = new Set<string>();
  const result: CheckedRows = { valid: [], invalid: [], duplicates: 0 };
  rows.forEach((raw, index) => {
    const row = index + 1;
    const parsed = recipientRowSchema.safeParse(raw);
    if (!parsed.success) {
      result.invalid.push({
        row,
        reason: parsed.error.issues.map((i) => `${i.path.join('.') || 'row'}: ${i.message}`).join('; '),
      });
      return;
    }
    const address = parseRecipientAddress(parsed.data.email);
    if ('problem' in address) {
      result.invalid.push({ row, email: parsed.data.email.slice(0, 254), reason: address.problem });
      return;
    }
    const data = parsed.data.data ?? {};
    const problem = renderProblem(content, data);
    if (problem) {
      result.invalid.push({ row, email: address.address, reason: problem });
      return;
    }
    const email = normalizeAddress(address.address);
    if (seen.has(email)) {
      result.duplicates++;
      return;
    }
    seen.add(email);
    result.valid.push({
      campaignId,
      email,
      address: address.address,
      data,
      status: 'pending',
      updatedAt: now.toISOString(),
    });
  });
  return result;
}

function renderProblem(content: TemplateContent, data: Record<string, unknown>): string | undefined {
  try {
    renderContent(content, { ...data, unsubscribe_url: 'https://example.invalid/unsubscribe' });
    return undefined;
  } catch (error) {
    if (error instanceof MissingVariableError) return `missing variable "${error.variable}"`;
    if (error instanceof TemplateSyntaxError) return `does not render: ${error.message}`;
    throw error;
  }
}
