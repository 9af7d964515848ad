import { resolve } from 'node:path';
import { DataDirInUseError, type LocalRuntime, startLocal } from './runtime';

/** A whole number from the environment, within [min, max], or the fallback when unset. */
function wholeNumber(name: string, fallback: number, min: number, max: number): number {
  const value = process.env[name];
  const parsed = value === undefined || value === '' ? fallback : Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${value}"`);
  }
  return parsed;
}

/** A port; 0 picks a free one. */
const port = (name: string, fallback: number) => wholeNumber(name, fallback, 0, 65535);

let runtime: LocalRuntime | undefined;
let stopping = false;

/** Closes the servers and emulators (and so frees every port), then exits. */
function stop(reason: string): void {
  if (stopping) return;
  stopping = true;
  console.log(`\n${reason}: stopping…`);
  // A stuck emulator must not keep the process (and its ports) alive.
  setTimeout(() => process.exit(1), 5_000).unref();
  // Still starting: startLocal stops what it started when it fails, and nothing else holds a port.
  if (!runtime) process.exit(0);
  runtime.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
}

process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
// Started by another process (a test, a supervisor) over IPC that went away: go with it.
process.on('disconnect', () => stop('parent gone'));
// `npm start` runs this through `sh -c`; `kill -TERM` of npm reaches sh, which exits without passing
// it on, and this process would keep the ports as an orphan. A changed parent means that happened.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stop('parent process gone');
}, 500).unref();

async function main(): Promise<void> {
  const sendingDomain = process.env.MAILROOM_SENDING_DOMAIN ?? 'example.com';
  runtime = await startLocal({
    port: port('PORT', 3000),
    dynamoDbPort: port('MAILROOM_DYNAMODB_PORT', 4567),
    sqsPort: port('MAILROOM_SQS_PORT', 4566),
    sesPort: port('MAILROOM_SES_PORT', 8005),
    dataDir: resolve(process.env.MAILROOM_DATA_DIR ?? '.mailroom'),
    sendingDomain,
    defaultFrom: process.env.MAILROOM_DEFAULT_FROM ?? `Mailroom <hello@${sendingDomain}>`,
    senderConcurrency: wholeNumber('MAILROOM_SENDER_CONCURRENCY', 2, 1, 20),
    tickSeconds: wholeNumber('MAILROOM_TICK_SECONDS', 60, 1, 3600),
  });

  const external =
    runtime.external.length > 0 ? `\n  (from the environment: ${runtime.external.join(', ')})` : '';
  console.log(`Mailroom local mode
  NO AUTH: every request is accepted without a signature. Never expose these ports.

  API        ${runtime.apiUrl}
  Console    ${runtime.consoleUrl}
  Inbox      ${runtime.inboxUrl}
  DynamoDB   ${runtime.endpoints.dynamodb}
  SQS        ${runtime.endpoints.sqs}
  SES v2     ${runtime.endpoints.sesv2}${external}

  SES events topic      ${runtime.sesEventsTopic}
    (mail to success@, bounce@, complaint@ or suppressionlist@simulator.amazonses.com gets the
     events SES would publish; publish any SES notification here to reach the events handler)
  Product events topic  ${runtime.productEventsTopic}
    (read them from ${runtime.productEventsInbox})

Send one:
  curl -s ${runtime.apiUrl}/v1/emails -H 'content-type: application/json' \\
    -d '{"to":"jane@example.org","subject":"Hello","text":"It works."}'

Ready. Ctrl-C stops everything.`);
}

main().catch((error: unknown) => {
  if (error instanceof DataDirInUseError) {
    console.error(`Mailroom local mode failed to start: ${error.message}.
  Each local mode needs a data folder of its own (and ports of its own): start this one with
  another folder, e.g. MAILROOM_DATA_DIR=.mailroom-2 (plus PORT, MAILROOM_DYNAMODB_PORT,
  MAILROOM_SQS_PORT and MAILROOM_SES_PORT), or stop process ${error.pid}. If no local mode runs,
  delete ${error.dataDir}/local-mode.pid.`);
  } else {
    console.error('Mailroom local mode failed to start:', error instanceof Error ? error.message : error);
  }
  process.exit(1);
});
