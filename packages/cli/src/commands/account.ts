import { main as smoke } from '../../../../deploy/smoke/main';
import type { Command } from '../command';
import { EXIT, UsageError } from '../exit-codes';

/** `mailroom account` and `mailroom smoke`. */
export const ACCOUNT_COMMANDS: readonly Command[] = [
  {
    name: 'account',
    summary: 'SES quota, sandbox or production, the rate in use, paused streams (GET /v1/account)',
    run: async (ctx) => {
      const account = await ctx.client().account.get();
      ctx.output.result(account, [
        `${account.sandbox ? 'SES sandbox' : 'production access'}, sending ${account.sendingEnabled ? 'enabled' : 'DISABLED'}${account.enforcementStatus ? ` (${account.enforcementStatus})` : ''}`,
        `  rate       ${account.rateInUse}/s in use of SES's ${account.maxSendRate}/s${account.rateOverride === null ? '' : ` (override ${account.rateOverride}/s)`}`,
        `  24 hours   ${account.sentLast24Hours} sent of ${account.max24HourSend}`,
        ...(account.pausedStreams.length === 0
          ? ['  paused     none']
          : account.pausedStreams.map((p) => `  paused     ${p.stream} since ${p.since}: ${p.reason}`)),
      ]);
      return undefined;
    },
  },
  {
    name: 'smoke',
    summary: "the deploy-day smoke check (npm run smoke): SES's mailbox simulator through the API",
    flags: {
      'timeout-seconds': { type: 'string', value: '<n>', help: "each step's time limit" },
    },
    run: async (ctx, input) => {
      if (ctx.global.api === undefined) throw new UsageError('smoke: --api or MAILROOM_API_URL is required');
      const timeout = input.string('timeout-seconds');
      const argv = [
        '--api',
        ctx.global.api,
        ...(ctx.global.region ? ['--region', ctx.global.region] : []),
        ...(timeout ? ['--timeout-seconds', timeout] : []),
        ...(ctx.global.json ? ['--json'] : []),
      ];
      const credentials =
        ctx.io.credentials ?? (ctx.global.profile ? await profileCredentials(ctx.global.profile) : undefined);
      // The smoke check prints its own report (or its one JSON document) and returns 0, 1 or 2.
      const code = await smoke(argv, {
        out: (line) => ctx.io.stdout.write(`${line}\n`),
        err: (line) => ctx.io.stderr.write(`${line}\n`),
        ...(ctx.io.fetch ? { fetch: ctx.io.fetch } : {}),
        ...(credentials ? { credentials } : {}),
      });
      return code === 0 ? EXIT.ok : code === 2 ? EXIT.usage : EXIT.smokeFailed;
    },
  },
];

/** --profile for the smoke check, which takes credentials rather than a profile name. */
async function profileCredentials(profile: string) {
  const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
  return fromNodeProviderChain({ profile });
}
