import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';

/**
 * How long a kept-alive connection may sit unused before the client closes it itself. A server
 * closes idle connections after its own timeout (Node's: 5 s); a request written onto a connection
 * at the moment the server closes it fails with ECONNRESET, and for a send that is "outcome
 * unknown": the mail is failed, never retried. Closing first, 1 s before the common 5 s, keeps
 * the client out of that race (the figure and reasoning of `agentkeepalive`'s freeSocketTimeout).
 * A server that announces a shorter `Keep-Alive: timeout=N` is honoured too: Node's agent takes
 * N − 1 s when that is shorter, but only when the agent has a timeout of its own (0, the SDK's
 * default agent, ignores the hint; `Agent.keepSocketAlive` in node:_http_agent).
 *
 * Seen here: 12 of 705 sends failed ECONNRESET through local mode's SES proxy (Node server, 5 s)
 * in bursts of 1–30 sends 4–6 s apart, and a CI run failed 2 of 5,000 campaign mails this way;
 * with these agents 0 of 766 in the same 4 minutes (test/integration/connections.test.ts checks
 * the agents' behaviour). In Lambda the same race follows a freeze: AWS's
 * endpoints close idle connections while the function is frozen (aws/aws-sdk-js-v3#1196); an
 * idle timer that expired during the freeze fires before the sender's first SES call, which comes
 * after the batch's DynamoDB round trips.
 */
export const IDLE_CONNECTION_MS = 4_000;

/**
 * Request-handler options for a client whose calls are short: bounded connect time, a bounded
 * silence while waiting for the answer, and agents that close idle connections before the server
 * does. Node's http.Agent `timeout` is only the idle one here: while a request is in flight the
 * handler's socket timeout replaces it.
 *
 * `socketTimeout` as well as `requestTimeout`: up to @smithy/node-http-handler 3.x
 * `requestTimeout` was the socket's inactivity limit; from 4.x it only logs a warning and
 * `socketTimeout` is that limit. Setting both keeps the same limit with the SDK bundled here and
 * with the (older or newer) one in the Lambda runtime.
 */
export function shortCallConnections(limits: { connectionTimeoutMs: number; silenceTimeoutMs: number }) {
  return {
    connectionTimeout: limits.connectionTimeoutMs,
    requestTimeout: limits.silenceTimeoutMs,
    socketTimeout: limits.silenceTimeoutMs,
    ...idleClosingAgents(),
  };
}

/**
 * Only the agents, for every other client: the SDK retries a reset call, and a retried write that
 * had gone through is a duplicate (an SQS message, a product event) or, when conditional, reads as
 * lost. No silence limit: an SQS receive waits up to 20 s for messages by design.
 */
export function idleClosingAgents() {
  const agent = { keepAlive: true, maxSockets: 50, timeout: IDLE_CONNECTION_MS };
  return { httpAgent: new HttpAgent(agent), httpsAgent: new HttpsAgent(agent) };
}
