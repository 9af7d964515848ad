import type { Context } from 'aws-lambda';
import { LOCAL_TABLES } from '../../local/resources';

/** AWS requests and Lambda time counted in one process; summed across processes with `addTallies`. */
export interface Tally {
  /** Requests by `Service.Operation`, e.g. `DynamoDB.UpdateItem`. */
  calls: Record<string, number>;
  /** DynamoDB capacity consumed, as dynalite computes it, plus the writes to GSIs it leaves out. */
  writeUnits: number;
  readUnits: number;
  /** The same units by `DynamoDB.Operation table`, to see which calls dominate the bill. */
  unitsByCall: Record<string, number>;
  /** ReceiveMessage calls that came back empty, and messages the others returned. */
  emptyReceives: number;
  receivedMessages: number;
  /** Lambda invocations and their wall time, by function. */
  invocations: Record<string, { count: number; ms: number }>;
}

export function emptyTally(): Tally {
  return {
    calls: {},
    writeUnits: 0,
    readUnits: 0,
    unitsByCall: {},
    emptyReceives: 0,
    receivedMessages: 0,
    invocations: {},
  };
}

/** Adds `count` invocations lasting `ms` in all to `name`'s figures. */
export function addInvocations(tally: Tally, name: string, count: number, ms: number): void {
  const into = tally.invocations[name] ?? { count: 0, ms: 0 };
  into.count += count;
  into.ms += ms;
  tally.invocations[name] = into;
}

export function addTallies(...tallies: Tally[]): Tally {
  const sum = emptyTally();
  for (const t of tallies) {
    for (const [k, v] of Object.entries(t.calls)) sum.calls[k] = (sum.calls[k] ?? 0) + v;
    for (const [k, v] of Object.entries(t.unitsByCall)) sum.unitsByCall[k] = (sum.unitsByCall[k] ?? 0) + v;
    for (const [k, v] of Object.entries(t.invocations)) addInvocations(sum, k, v.count, v.ms);
    sum.writeUnits += t.writeUnits;
    sum.readUnits += t.readUnits;
    sum.emptyReceives += t.emptyReceives;
    sum.receivedMessages += t.receivedMessages;
  }
  return sum;
}

const DYNAMO_WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);
/**
 * What a write to each indexed table costs again in its index (dynalite reports the table's units
 * only). An index projecting every attribute is written with the whole item: the units again. One
 * projecting a few attributes is written with those only (a summary well under 1 KB: 1 unit), and
 * only when the write changes one of them; the campaigns' summary holds `updatedAt` and `totals`,
 * which nearly every write changes, so 1 unit per write is the model.
 */
const INDEX_COST = new Map<string, (units: number) => number>(
  Object.values(LOCAL_TABLES).flatMap((t) =>
    'indexes' in t
      ? [
          [
            t.name,
            (units: number) => ((t.indexes ?? []).some((i) => !('projects' in i)) ? units : 1),
          ] as const,
        ]
      : [],
  ),
);

interface Capacity {
  TableName?: string;
  CapacityUnits?: number;
}

interface MiddlewareClient {
  middlewareStack: {
    add(
      middleware: (
        next: (args: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>,
        context: { clientName?: string; commandName?: string },
      ) => (args: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>,
      options: { step: 'initialize'; name: string },
    ): void;
  };
}

/**
 * Counts every request `client` makes into `tally`. DynamoDB requests are asked to return their
 * consumed capacity (ReturnConsumedCapacity), which is how item sizes reach the cost figures.
 */
export function countCalls(sdkClient: { middlewareStack: unknown }, tally: Tally): void {
  const client = sdkClient as MiddlewareClient;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const service = (context.clientName ?? 'Unknown').replace(/Client$/, '').replace(/^SESv2$/, 'SES');
      const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      const key = `${service}.${operation}`;
      tally.calls[key] = (tally.calls[key] ?? 0) + 1;
      const isDynamo = service === 'DynamoDB';
      if (isDynamo) args.input.ReturnConsumedCapacity = 'TOTAL';
      // A campaign's parts (content, counter shards: `<id>#…`) have no status: not in its index.
      const written = (args.input.Key ?? args.input.Item) as { id?: unknown } | undefined;
      const outsideIndex = typeof written?.id === 'string' && written.id.includes('#');
      try {
        const result = await next(args);
        if (isDynamo) addCapacity(tally, key, operation, result.output.ConsumedCapacity, outsideIndex);
        if (key === 'SQS.ReceiveMessage') {
          const count = (result.output.Messages as unknown[] | undefined)?.length ?? 0;
          if (count === 0) tally.emptyReceives++;
          tally.receivedMessages += count;
        }
        return result;
      } catch (error) {
        // A failed conditional write is still billed; 1 unit is its floor (the item size is unknown here).
        if (isDynamo && DYNAMO_WRITES.has(operation)) {
          tally.writeUnits += 1;
          const failed = `${key} (refused)`;
          tally.unitsByCall[failed] = (tally.unitsByCall[failed] ?? 0) + 1;
        }
        throw error;
      }
    },
    { step: 'initialize', name: 'benchCountCalls' },
  );
}

function addCapacity(
  tally: Tally,
  key: string,
  operation: string,
  consumed: unknown,
  outsideIndex = false,
): void {
  const list = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as Capacity[];
  for (const entry of list) {
    let units = entry.CapacityUnits ?? 0;
    if (DYNAMO_WRITES.has(operation)) {
      if (!outsideIndex) units += INDEX_COST.get(entry.TableName ?? '')?.(units) ?? 0;
      tally.writeUnits += units;
    } else {
      tally.readUnits += units;
    }
    const byTable = `${key} ${(entry.TableName ?? '').replace(/^mailroom-/, '')}`;
    tally.unitsByCall[byTable] = (tally.unitsByCall[byTable] ?? 0) + units;
  }
}

type Handler<E, R> = (event: E, context: Context) => Promise<R>;

/** Wraps a handler so each invocation's wall time is added to `tally` under `name`. */
export function timed<E, R>(name: string, handler: Handler<E, R>, tally: Tally): Handler<E, R> {
  return async (event, context) => {
    const started = performance.now();
    try {
      return await handler(event, context);
    } finally {
      addInvocations(tally, name, 1, performance.now() - started);
    }
  };
}
