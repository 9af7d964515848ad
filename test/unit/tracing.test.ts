/**
 * X-Ray: every AWS SDK client the functions use is captured by the tracer in Lambda (the stack
 * turns active tracing on), and nothing is traced, patched or sent anywhere outside it (local mode,
 * the tests, the bench).
 */
const XRAY_MIDDLEWARE = 'XRaySDKInstrumentation';

interface Stacked {
  middlewareStack: { identify(): string[] };
}

/** The client modules, loaded afresh outside Lambda, or in it with `env` added. */
function loadClients(env: Record<string, string>) {
  const saved = process.env;
  const { AWS_EXECUTION_ENV: _lambda, POWERTOOLS_TRACE_ENABLED: _switch, ...outside } = saved;
  process.env = { ...outside, ...env };
  try {
    let loaded: Record<string, Stacked> = {};
    let tracingEnabled = false;
    jest.isolateModules(() => {
      loaded = {
        ...require('../../lambdas/platform/clients/dynamo'),
        ...require('../../lambdas/platform/clients/sqs'),
        ...require('../../lambdas/platform/clients/ses'),
        ...require('../../lambdas/platform/clients/sns'),
        ...require('../../lambdas/platform/clients/secrets-manager'),
      };
      tracingEnabled = require('../../lambdas/platform/observability').tracer.isTracingEnabled();
    });
    return { clients: loaded, tracingEnabled };
  } finally {
    process.env = saved;
  }
}

const captured = (clients: Record<string, Stacked>) =>
  Object.fromEntries(
    Object.entries(clients).map(([name, client]) => [
      name,
      client.middlewareStack.identify().some((entry) => entry.startsWith(XRAY_MIDDLEWARE)),
    ]),
  );

describe('tracing', () => {
  it('traces nothing outside Lambda: the tracer is off and no client carries the X-Ray middleware', () => {
    const { clients, tracingEnabled } = loadClients({});

    expect(tracingEnabled).toBe(false);
    expect(Object.keys(clients).sort()).toEqual([
      'dynamo',
      'secretsManager',
      'sesForReading',
      'sesForSending',
      'sns',
      'sqs',
    ]);
    expect(Object.values(captured(clients))).not.toContain(true);
  });

  it('captures every SDK client the functions use in Lambda', () => {
    const { clients, tracingEnabled } = loadClients({
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      // Leave this process's http and fetch unpatched: only the SDK clients are looked at here.
      POWERTOOLS_TRACER_CAPTURE_HTTPS_REQUESTS: 'false',
    });

    expect(tracingEnabled).toBe(true);
    expect(captured(clients)).toEqual({
      dynamo: true,
      sqs: true,
      sesForSending: true,
      sesForReading: true,
      sns: true,
      secretsManager: true,
    });
  });

  it('can be switched off in Lambda with POWERTOOLS_TRACE_ENABLED=false', () => {
    const { clients, tracingEnabled } = loadClients({
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      POWERTOOLS_TRACE_ENABLED: 'false',
    });

    expect(tracingEnabled).toBe(false);
    expect(Object.values(captured(clients))).not.toContain(true);
  });
});
