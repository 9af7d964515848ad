import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSEvent } from 'aws-lambda';
import { lambdaHandler, timeLeft } from '../../lambdas/platform/lambda-handler';
import { observabilityOf } from '../../lambdas/platform/observability';
import { eachRecord } from '../../lambdas/platform/sqs-batch';
import { sqsRecord } from './fixtures/sqs-events';

/**
 * The house handler stack (platform/lambda-handler.ts) every composition root wraps its handler
 * in, and the SQS batch loop of the fan-out and events functions (platform/sqs-batch.ts).
 */

/** What the process writes to stdout (EMF metrics, JSON log lines) and stderr (Powertools' own warnings). */
function captureOutput() {
  const out: string[] = [];
  const err: string[] = [];
  const spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    }),
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      err.push(String(chunk));
      return true;
    }),
  ];
  const lines = (chunks: string[]) => chunks.join('').split('\n').filter(Boolean);
  return {
    json: () =>
      lines(out).map((line) => {
        try {
          return JSON.parse(line) as Record<string, unknown>;
        } catch {
          return { unparsed: line };
        }
      }),
    stderr: () => lines(err),
    restore: () => {
      for (const spy of spies) spy.mockRestore();
    },
  };
}

const emf = (entries: Record<string, unknown>[]) => entries.filter((entry) => '_aws' in entry);

function lambdaContext(requestId: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'mailroom-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:mailroom-test',
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/mailroom-test',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 10_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

function deferred() {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

const saved = { ...process.env };
let output: ReturnType<typeof captureOutput>;
beforeEach(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  process.env.POWERTOOLS_METRICS_NAMESPACE = 'Mailroom/Test';
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  delete process.env.POWERTOOLS_SERVICE_NAME;
  delete process.env.POWERTOOLS_DEV;
  output = captureOutput();
});
afterEach(() => {
  output.restore();
  process.env = { ...saved };
});

describe('the house handler stack', () => {
  it('gives each invocation its own metrics: overlapping invocations keep their own dimension, and nothing warns', async () => {
    const bothStarted = deferred();
    let started = 0;
    const handler = lambdaHandler<{ stream: string }, string, Context>(
      observabilityOf('sender'),
      async (event, _context, { metrics }) => {
        metrics.addDimension('stream', event.stream);
        if (++started === 2) bothStarted.resolve();
        await bothStarted.promise;
        metrics.addMetric('Sent', MetricUnit.Count, 1);
        return event.stream;
      },
    );

    const answers = await Promise.all([
      handler({ stream: 'transactional' }, lambdaContext('a')),
      handler({ stream: 'bulk' }, lambdaContext('b')),
    ]);

    expect(answers).toEqual(['transactional', 'bulk']);
    const published = emf(output.json()).map((entry) => ({ stream: entry.stream, sent: entry.Sent }));
    expect(published).toEqual(
      expect.arrayContaining([
        { stream: 'transactional', sent: 1 },
        { stream: 'bulk', sent: 1 },
      ]),
    );
    expect(published).toHaveLength(2);
    expect(emf(output.json())[0]).toMatchObject({ service: 'mailroom-sender' });
    expect(output.stderr()).toEqual([]);
  });

  it('publishes nothing for an invocation that counted nothing, and says nothing about it', async () => {
    const handler = lambdaHandler<unknown, void, Context | undefined>(
      observabilityOf('scheduler'),
      async () => {},
    );

    await handler({}, lambdaContext('quiet'));

    expect(emf(output.json())).toEqual([]);
    expect(output.stderr()).toEqual([]);
  });

  it('publishes what an invocation counted before it failed, and fails as it did', async () => {
    const handler = lambdaHandler<unknown, void, Context>(
      observabilityOf('events'),
      async (_e, _c, { metrics }) => {
        metrics.addMetric('EventsProcessed', MetricUnit.Count, 2);
        throw new Error('DynamoDB is down');
      },
    );

    await expect(handler({}, lambdaContext('failing'))).rejects.toThrow('DynamoDB is down');

    expect(emf(output.json())).toEqual([
      expect.objectContaining({ EventsProcessed: 2, service: 'mailroom-events' }),
    ]);
  });

  it('puts the request id, the function and the cold start on every line an invocation logs', async () => {
    // Lambda sets this; Powertools reports a cold start only then.
    process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
    const observability = observabilityOf('fanout');
    const handler = lambdaHandler<unknown, void, Context>(observability, async () => {
      observability.logger.info('working');
    });

    await handler({}, lambdaContext('first'));
    await handler({}, lambdaContext('second'));

    const logged = output.json().filter((entry) => entry.message === 'working');
    expect(logged).toEqual([
      expect.objectContaining({
        service: 'mailroom-fanout',
        function_request_id: 'first',
        function_name: 'mailroom-test',
        cold_start: true,
      }),
      expect.objectContaining({ function_request_id: 'second', cold_start: false }),
    ]);
  });

  it("runs without a context, as local mode's tick calls the scheduler", async () => {
    const seen: unknown[] = [];
    const handler = lambdaHandler<unknown, string, { getRemainingTimeInMillis?: () => number } | undefined>(
      observabilityOf('scheduler'),
      async (_event, context) => {
        seen.push(timeLeft(context));
        return 'ticked';
      },
    );

    await expect(handler(undefined, undefined)).resolves.toBe('ticked');
    expect(seen).toEqual([undefined]);
  });

  it("tells the time left when the caller gives Lambda's clock, and nothing when it does not", () => {
    expect(timeLeft({ getRemainingTimeInMillis: () => 1234 })?.()).toBe(1234);
    expect(timeLeft({})).toBeUndefined();
    expect(timeLeft(undefined)).toBeUndefined();
  });
});

function sqsEvent(...bodies: string[]): SQSEvent {
  return {
    Records: bodies.map((body, i) => sqsRecord(body, { messageId: `m${i}`, receiptHandle: `r${i}` })),
  };
}

describe('the SQS batch loop (fan-out and events)', () => {
  it('handles the records one after another, in the order SQS gave them', async () => {
    const log: string[] = [];
    const response = await eachRecord(sqsEvent('a', 'b', 'c'), async (record) => {
      log.push(`start ${record.body}`);
      await new Promise((resolve) => setImmediate(resolve));
      log.push(`end ${record.body}`);
    });

    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(response).toEqual({ batchItemFailures: [] });
  });

  it('reports the records that failed, so SQS delivers only those again', async () => {
    const response = await eachRecord(sqsEvent('ok', 'bad', 'ok', 'bad'), async (record) => {
      if (record.body === 'bad') throw new Error('nope');
    });

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }, { itemIdentifier: 'm3' }] });
  });

  it('answers a batch that failed whole like any other, naming every record, rather than throwing', async () => {
    const response = await eachRecord(sqsEvent('bad', 'bad'), async () => {
      throw new Error('nope');
    });

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm0' }, { itemIdentifier: 'm1' }] });
  });

  it('keeps the batches of overlapping invocations apart', async () => {
    const gate = deferred();
    const first = eachRecord(sqsEvent('x', 'bad'), async (record) => {
      await gate.promise;
      if (record.body === 'bad') throw new Error('nope');
    });
    const second = await eachRecord(sqsEvent('y'), async () => {});
    gate.resolve();

    expect(second).toEqual({ batchItemFailures: [] });
    expect(await first).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
  });
});
