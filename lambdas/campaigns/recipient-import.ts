import { parse } from 'csv-parse/sync';
import { normalizeAddress } from '../mail/addresses';
import { badRequest } from '../requests/errors';
import {
  MissingVariableError,
  renderContent,
  type TemplateContent,
  TemplateSyntaxError,
} from '../templates/template-rules';
import type { CampaignRecipient } from './campaign';
import { parseRecipientAddress, recipientRowSchema } from './campaign-request';
import { mergeVariableOfHeader } from './merge-variables';
import { PLACEHOLDER_UNSUBSCRIBE_URL, UNSUBSCRIBE_URL_VARIABLE } from './unsubscribe-link';

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
 * Recipient data rules (README "Recipient uploads"). Data is stored as it reaches us, so every value
 * must survive JavaScript → DynamoDB unchanged, and must never fail a write half-way through an
 * upload (issue 11: one such row made a 500 after part of the upload was stored). What would fail
 * or change on the way to DynamoDB is refused per row, with the row and the reason:
 * - numbers: integers beyond ±(2^53 − 1) (JSON.parse has already rounded them, and the DynamoDB
 *   marshaller refuses them), which also covers every magnitude beyond DynamoDB's upper bound
 *   (9.99e125: every double beyond 2^53 is an integer, so 1e300 is refused here), non-zero numbers
 *   closer to 0 than DynamoDB's 1e-130, and non-finite numbers. What is not checked, because
 *   JSON.parse has done it before any code sees the value: a decimal with more significant digits
 *   than a double holds (`3.14159265358979323846`) arrives rounded (`3.141592653589793`) and is
 *   stored so. Send such values, and any number that must stay exactly as written, as strings: a
 *   string is stored and merged verbatim (CSV values are always strings).
 * - keys: `constructor`, `__proto__` and `prototype` are refused at any depth, in JSON and in CSV
 *   alike (they name JavaScript object machinery: `constructor` makes the DynamoDB marshaller
 *   refuse the item, `__proto__` can change an object's prototype); so is an empty key.
 * - size and shape: at most {@link MAX_DATA_BYTES} of JSON per row and {@link MAX_DATA_DEPTH}
 *   levels of nesting, so no row can push an item past DynamoDB's 400 KB.
 */
const RESERVED_DATA_KEYS: ReadonlySet<string> = new Set(['constructor', '__proto__', 'prototype']);
export const MAX_DATA_BYTES = 16 * 1024;
export const MAX_DATA_DEPTH = 8;
/** DynamoDB's smallest non-zero magnitude (its largest, below 1e126, is beyond 2^53: refused first). */
const DYNAMO_MIN_MAGNITUDE = 1e-130;

/**
 * Why `data` cannot be stored exactly, or undefined when it can: the first problem in document
 * order, the size when the JSON is too large. One iterative walk with an explicit stack: data is
 * the caller's, and 60,000 nested arrays (a 120 KB body) overflow the call stack of any recursive
 * walk, JSON.stringify's included (issue 11: a 500). The walk never goes below MAX_DATA_DEPTH and
 * stops as soon as the JSON it has measured is too large, so its work is bounded by the row.
 */
export function dataProblem(data: unknown): string | undefined {
  type Pending = { value: unknown; path: string; depth: number; key?: { name: string; of: string } };
  const pending: Pending[] = [{ value: data, path: 'data', depth: 0 }];
  let bytes = 0;
  let first: string | undefined;
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const { value, path, depth, key } = item;
    // A key is checked before the value under it, so `first` is the first problem in document order.
    if (key) {
      first ??= keyProblem(key.name, key.of);
      bytes += Buffer.byteLength(JSON.stringify(key.name)) + 1;
    }
    if (value === null || typeof value !== 'object') {
      if (typeof value === 'number') first ??= numberProblem(value, path);
      bytes += Buffer.byteLength(JSON.stringify(value) ?? 'null');
    } else if (depth >= MAX_DATA_DEPTH) {
      return first ?? `${path}: nested deeper than ${MAX_DATA_DEPTH} levels`;
    } else if (Array.isArray(value)) {
      bytes += 2 + Math.max(0, value.length - 1);
      for (let i = value.length - 1; i >= 0; i--)
        pending.push({ value: value[i], path: `${path}[${i}]`, depth: depth + 1 });
    } else {
      const keys = Object.keys(value);
      bytes += 2 + Math.max(0, keys.length - 1);
      for (let i = keys.length - 1; i >= 0; i--) {
        const name = keys[i] as string;
        const child = (value as Record<string, unknown>)[name];
        pending.push({ value: child, path: `${path}.${name}`, depth: depth + 1, key: { name, of: path } });
      }
    }
    if (bytes > MAX_DATA_BYTES) return `data is larger than ${MAX_DATA_BYTES} bytes of JSON`;
  }
  return first;
}

function numberProblem(value: number, path: string): string | undefined {
  if (!Number.isFinite(value)) return `${path}: ${value} is not a finite number`;
  if (Math.abs(value) > Number.MAX_SAFE_INTEGER)
    return `${path}: ${value} is beyond 2^53 and cannot be stored exactly; send it as a string`;
  if (value !== 0 && Math.abs(value) < DYNAMO_MIN_MAGNITUDE)
    return `${path}: ${value} is too close to 0 to be stored (smallest 1e-130); send it as a string`;
  return undefined;
}

function keyProblem(key: string, path: string): string | undefined {
  if (key === '') return `${path}: a key must not be empty`;
  if (RESERVED_DATA_KEYS.has(key))
    return `${path}: the key "${key}" is reserved (it names JavaScript object machinery); rename it`;
  return undefined;
}

/**
 * Why a header row without an `email` column is refused, with what would fix it: commas between
 * columns (a file saved with semicolons or tabs reads as one column), and the one header name that
 * is the address (`email`, in any case; `Email Address` or `E-mail` are data columns).
 */
function noEmailColumn(header: string[]): string {
  const quote = (cell: string) => JSON.stringify(cell.length > 40 ? `${cell.slice(0, 40)}…` : cell);
  const base = 'The header row must have an "email" column (named email, in any case)';
  const separator = header.length === 1 ? /[;\t|]/.exec(header[0] ?? '')?.[0] : undefined;
  if (separator !== undefined) {
    const name = separator === '\t' ? 'tabs' : `"${separator}"`;
    return `${base}; it reads as one column, ${quote(header[0] ?? '')}: columns must be separated by commas, not ${name}`;
  }
  const near = header.find((cell) => /e-?mail/i.test(cell));
  const listed = header.slice(0, 10).map(quote).join(', ') + (header.length > 10 ? ', …' : '');
  return `${base}; the columns are ${listed}${near === undefined ? '' : `: rename ${quote(near)} to "email"`}`;
}

/** A CSV line that cannot be a recipient (a cell count unlike the header's): reported, not fatal. */
export class InvalidCsvRow {
  constructor(readonly reason: string) {}
}

/**
 * Reads `text/csv`: a header row naming `email` and any data columns, one recipient per line, lines
 * ending in CRLF, LF or CR in any mix. Headers become merge variables as
 * {@link mergeVariableOfHeader} says; two headers naming the same variable refuse the file. Column
 * values become the recipient's data (all strings, so any number is kept exactly as written); an
 * empty cell is left out. A line with more or fewer cells than the header is an invalid row.
 */
export function rowsFromCsv(csv: string, maxRows: number): unknown[] {
  let lines: string[][];
  try {
    lines = parse(csv, {
      bom: true,
      skip_empty_lines: true,
      trim: true,
      // csv-parse otherwise takes the first line's ending as the only one: a file starting with
      // CRLF and going on in LF became one long refused record.
      record_delimiter: ['\r\n', '\n', '\r'],
      relax_column_count: true,
    });
  } catch (error) {
    throw badRequest('invalid_csv', `The CSV cannot be read: ${(error as Error).message}`);
  }
  const [header, ...records] = lines;
  if (header === undefined) return [];
  if (records.length > maxRows)
    throw badRequest('too_many_recipients', `At most ${maxRows} rows per call; got ${records.length}`);
  const names = header.map(mergeVariableOfHeader);
  const emailColumn = names.indexOf('email');
  if (emailColumn < 0) throw badRequest('invalid_csv', noEmailColumn(header));
  const repeated = names.find((name, i) => name !== '' && names.indexOf(name) !== i);
  if (repeated !== undefined)
    throw badRequest('invalid_csv', `Two header columns name the merge variable "${repeated}"`);
  const blank = names.indexOf('');
  if (blank >= 0) throw badRequest('invalid_csv', `Header column ${blank + 1} has no name`);
  return records.map((cells) => {
    if (cells.length !== names.length)
      return new InvalidCsvRow(`has ${cells.length} cells; the header has ${names.length}`);
    // fromEntries makes own properties even of `__proto__`, so reserved keys reach the same
    // per-row check as in JSON instead of silently changing the object's prototype.
    const data = Object.fromEntries(
      names.flatMap((name, i) => (i !== emailColumn && cells[i] ? [[name, cells[i]]] : [])),
    );
    return { email: cells[emailColumn] ?? '', data };
  });
}

/**
 * How long one upload may spend checking its rows, most of it rendering them. Each row's render is
 * bounded (RENDER_LIMITS), but a near-limit template renders for up to ~20 ms a row here and more
 * on a 512 MB Lambda: 615 rows of a nested `{{#each}}` took 11 s of CPU, past the api function's
 * 10 s timeout (issue 11 review, S6). A time budget rather than a count of characters or loop
 * iterations because it bounds every shape of work (a template of 20,000 empty mustaches outputs
 * nothing and iterates nothing, yet takes as long). 2 s leaves the rest of the 10 s for the writes.
 */
export const UPLOAD_RENDER_BUDGET_MS = 2_000;
export const RENDER_BUDGET_SPENT = `the upload's render budget is spent (${UPLOAD_RENDER_BUDGET_MS / 1000} s of checking rows per call): send fewer rows per call, or this row again in another call`;

export interface CheckBudget {
  /** Milliseconds of checking allowed for the whole upload. */
  budgetMs?: number;
  /** A monotonic clock in milliseconds (tests give a fake one). */
  clock?: () => number;
}

/**
 * Checks each row on its own: a valid address, data that can be stored exactly
 * ({@link dataProblem}), and data that renders the campaign without a missing variable (so a
 * broken mail is refused now, not sent later). Bad rows are reported, not fatal: every row left
 * in `valid` can be written. Once the upload has spent UPLOAD_RENDER_BUDGET_MS checking, the rows
 * not yet rendered are refused with RENDER_BUDGET_SPENT (their own address and data problems are
 * still reported); which rows those are depends on the machine's speed, and sending them again in
 * another call adds them.
 */
export function checkRows(
  rows: unknown[],
  campaignId: string,
  content: TemplateContent,
  now: Date,
  { budgetMs = UPLOAD_RENDER_BUDGET_MS, clock = () => performance.now() }: CheckBudget = {},
): CheckedRows {
  const started = clock();
  const seen = new Set<string>();
  const result: CheckedRows = { valid: [], invalid: [], duplicates: 0 };
  rows.forEach((raw, index) => {
    const row = index + 1;
    if (raw instanceof InvalidCsvRow) {
      result.invalid.push({ row, reason: raw.reason });
      return;
    }
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
    // Checked as sent: JSON.parse keeps `__proto__` as an own key, which a parsed copy may not.
    const problem = dataProblem((raw as { data?: unknown }).data ?? {});
    const data = parsed.data.data ?? {};
    if (problem) {
      result.invalid.push({ row, email: address.address, reason: problem });
      return;
    }
    const renderError = clock() - started >= budgetMs ? RENDER_BUDGET_SPENT : renderProblem(content, data);
    if (renderError) {
      result.invalid.push({ row, email: address.address, reason: renderError });
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

/** Why a row's data does not render with `content` (with an unsubscribe URL standing in), or undefined. */
export function renderProblem(content: TemplateContent, data: Record<string, unknown>): string | undefined {
  try {
    renderContent(content, { ...data, [UNSUBSCRIBE_URL_VARIABLE]: PLACEHOLDER_UNSUBSCRIBE_URL });
    return undefined;
  } catch (error) {
    if (error instanceof MissingVariableError) return `missing variable "${error.variable}"`;
    if (error instanceof TemplateSyntaxError) return `does not render: ${error.message}`;
    return `does not render: ${error instanceof Error ? error.message : String(error)}`;
  }
}
