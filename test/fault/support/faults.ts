/**
 * Fault injectors: around the adapters' shared DynamoDB client (throttled writes), and around a
 * sender invocation's collaborators (a crash that kills the whole invocation).
 */

const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand']);

export interface DynamoWriteFaults {
  /** Share of write requests DynamoDB answers with ProvisionedThroughputExceededException. */
  throttleRate: number;
  /**
   * Where the throttle is raised. `wire`: as DynamoDB answers it, inside the SDK's retry loop, so
   * the client's standard retries (3 attempts, back-off) apply as deployed. `caller`: after the
   * retries, straight to the adapter: a throttle (or any write error) the SDK could not absorb.
   */
  layer: 'wire' | 'caller';
  random: () => number;
  /** How many throttles were raised so far. */
  injected: number;
}

function throttle(): Error {
  return Object.assign(
    new Error('The level of configured provisioned throughput for the table was exceeded.'),
    {
      name: 'ProvisionedThroughputExceededException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400, attempts: 1 },
    },
  );
}

interface StackClient {
  middlewareStack: {
    add(
      middleware: (
        next: (args: unknown) => Promise<unknown>,
        context: { commandName?: string },
      ) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize' | 'deserialize'; name: string },
    ): void;
  };
}

/**
 * Throttles `faults.throttleRate` of the DynamoDB writes `client` makes. Settings are read on every
 * request, so a test can turn faults on and off around the parts it wants to disturb.
 */
export function injectDynamoWriteFaults(
  sdkClient: { middlewareStack: unknown },
  faults: DynamoWriteFaults,
): void {
  const client = sdkClient as StackClient;
  const layer =
    (step: DynamoWriteFaults['layer']) =>
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
    async (args: unknown) => {
      if (
        faults.layer === step &&
        WRITES.has(context.commandName ?? '') &&
        faults.random() < faults.throttleRate
      ) {
        faults.injected++;
        throw throttle();
      }
      return next(args);
    };
  // `deserialize` is the innermost step: below the retry middleware, as close to the wire as it gets.
  client.middlewareStack.add(layer('wire'), { step: 'deserialize', name: 'faultWireThrottle' });
  client.middlewareStack.add(layer('caller'), { step: 'initialize', name: 'faultCallerThrottle' });
}

export class Crash extends Error {
  constructor() {
    super('the sender process died (simulated crash)');
    this.name = 'Crash';
  }
}

/**
 * One Lambda invocation that can die. After `kill()`, every collaborator call made through
 * `guard` fails, and work already in flight (a DynamoDB write, an SES call) completes on the far
 * side but its answer never reaches the code: exactly what a process crash does.
 */
export class Invocation {
  dead = false;

  kill(): never {
    this.dead = true;
    throw new Crash();
  }

  check(): void {
    if (this.dead) throw new Crash();
  }

  /** `target` with every method checked before it starts and after it returns. */
  guard<T extends object>(target: T, after?: (method: string, args: unknown[], result: unknown) => void): T {
    return new Proxy(target, {
      get: (object, property, receiver) => {
        const value = Reflect.get(object, property, receiver);
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          this.check();
          const result = await value.apply(object, args);
          after?.(String(property), args, result);
          this.check();
          return result;
        };
      },
    });
  }
}
