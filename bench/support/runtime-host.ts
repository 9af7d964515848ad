/**
 * One Mailroom runtime (one "stack") in a process of its own: its own dynalite and fauxqs (so its
 * own tables, rate ledger and queues), and local mode on top of them serving the API, against an
 * SES endpoint it is given (the one fake SES several runtimes share, as stacks in one account and
 * region share SES). A process per runtime because the handlers read their environment once, on
 * import: two runtimes in one process would share one set of tables.
 *
 * Started by `startRuntimeHost` (services.ts) with `{ses, share}` as JSON in argv[2]. IPC: sends
 * `{ready, apiUrl, env}` (the environment its sender containers start with, SEND_RATE_SHARE
 * included); exits on `{type: 'stop'}` or when the parent goes away.
 */
import { startBenchLocal } from './environment';
import { startService } from './services';

export interface RuntimeHostOptions {
  /** The SESv2 endpoint, shared by every runtime of a run. */
  ses: string;
  /** This runtime's `sendRateShare` (the deploy config's field; env SEND_RATE_SHARE). */
  share: number;
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as RuntimeHostOptions;
  const [dynamodb, sqs] = await Promise.all([startService('dynamodb'), startService('sqs')]);
  // As the stack sets them: the share, and no absolute override (an override is not shared, so a
  // stray MAX_SEND_RATE from the shell would hide exactly what this runtime is here to show).
  process.env.SEND_RATE_SHARE = String(options.share);
  delete process.env.MAX_SEND_RATE;
  const local = await startBenchLocal({ dynamodb: dynamodb.endpoint, sqs: sqs.endpoint, ses: options.ses });
  const stop = async () => {
    await local.stop();
    await Promise.all([dynamodb.stop(), sqs.stop()]);
  };
  process.on('message', (message: { type: string }) => {
    if (message.type === 'stop') void stop().finally(() => process.exit(0));
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.({ type: 'ready', apiUrl: local.runtime.apiUrl, env: local.env });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
