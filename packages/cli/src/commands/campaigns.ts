import {
  type Campaign,
  type CreateCampaignRequest,
  MAX_RECIPIENTS_PER_CALL,
  type UpdateCampaignRequest,
} from '@mailroom/client';
import { describeCampaign, watchCampaign } from '../campaign-progress';
import {
  type Command,
  type Context,
  collect,
  contentOf,
  DATA_FLAGS,
  MESSAGE_FLAGS,
  mergeData,
  messageOf,
} from '../command';
import { uploadCsv } from '../csv-upload';
import { EXIT, type ExitCode, UsageError } from '../exit-codes';
import { bar, count, duration } from '../output';

const WATCH_FLAGS = {
  watch: {
    type: 'boolean',
    help: 'follow it until completed or cancelled: progress, rate, ETA, deliveries, bounces, opens, clicks',
  },
  interval: { type: 'string', value: '<seconds>', help: 'seconds between reads while watching (default 2)' },
} as const;

/** One line about a campaign the API changed. */
const changed = (verb: string, c: Campaign) => `${verb} campaign ${c.id} (${c.name}): ${c.status}`;

/** `mailroom campaigns …`. */
export const CAMPAIGN_COMMANDS: readonly Command[] = [
  {
    name: 'campaigns create',
    summary: 'create a draft campaign (POST /v1/campaigns)',
    flags: {
      name: { type: 'string', value: '<name>', help: 'for people (required)' },
      ...MESSAGE_FLAGS,
    },
    examples: ['mailroom campaigns create --name "December news" --template december --json | jq -r .id'],
    run: async (ctx, input) => {
      const request = { name: input.required('name'), ...messageOf(input) } as CreateCampaignRequest;
      const campaign = await ctx.client().campaigns.create(request);
      for (const warning of campaign.warnings ?? []) ctx.output.note(`warning: ${warning}`);
      ctx.output.result(campaign, [campaign.id]);
      ctx.output.note(changed('created', campaign));
      return undefined;
    },
  },
  {
    name: 'campaigns list',
    summary: 'every campaign, all pages (GET /v1/campaigns)',
    run: async (ctx) => {
      const items = await collect(ctx.client().campaigns.all({ limit: 100 }));
      ctx.output.result(
        { items },
        items.length === 0
          ? 'no campaigns'
          : items.map(
              (c) =>
                `${c.id}  ${c.status.padEnd(9)} ${count(c.totals.recipients).padStart(9)} recipients  ${c.name}`,
            ),
      );
      return undefined;
    },
  },
  {
    name: 'campaigns edit',
    args: ['<id>'],
    summary: 'change a draft or scheduled campaign (PATCH /v1/campaigns/{id}); what no flag names stays',
    flags: {
      name: { type: 'string', value: '<name>', help: 'a new name' },
      ...MESSAGE_FLAGS,
    },
    examples: [
      'mailroom campaigns edit 6f1d… --subject "December news, {{first_name}}"',
      'mailroom campaigns edit 6f1d… --html-file december.html --tag kind=news',
    ],
    run: async (ctx, input) => {
      const id = input.arg(0);
      const content = contentOf(input);
      const template = input.string('template');
      if (template !== undefined && Object.keys(content).length > 0) {
        throw new UsageError(`${input.command}: give --template or --subject/--text/--html, not both`);
      }
      const name = input.string('name');
      const from = input.string('from');
      const replyTo = input.list('reply-to');
      const tags = input.pairs('tag');
      const changes: UpdateCampaignRequest = {
        ...(name === undefined ? {} : { name }),
        ...(from === undefined ? {} : { from }),
        ...(replyTo.length > 0 ? { replyTo } : {}),
        ...(Object.keys(tags).length > 0 ? { tags } : {}),
        ...content,
        ...(template === undefined ? {} : { template }),
      };
      if (Object.keys(changes).length === 0) {
        throw new UsageError(
          `${input.command}: nothing to change: give --name, --subject, --html, --template, …`,
        );
      }
      const campaign = await ctx.client().campaigns.update(id, changes);
      for (const warning of campaign.warnings ?? []) ctx.output.note(`warning: ${warning}`);
      ctx.output.result(campaign, [campaign.id]);
      ctx.output.note(changed('edited', campaign));
      return undefined;
    },
  },
  {
    name: 'campaigns add-recipients',
    args: ['<id>', '<file.csv>'],
    summary: `add recipients from a CSV file of any size, ${count(MAX_RECIPIENTS_PER_CALL)} rows per request`,
    flags: {
      rejects: {
        type: 'string',
        value: '<file>',
        help: 'where refused rows go, with their line and reason (default: <file.csv>.rejected.csv)',
      },
    },
    examples: [
      'mailroom campaigns add-recipients cmp_123 list.csv   # header row: email,first_name,…',
      'An upload that stopped half-way is finished by running the same command again.',
    ],
    run: async (ctx, input) => {
      const [id, file] = [input.arg(0), input.arg(1)];
      const rejectsFile = input.string('rejects') ?? `${file}.rejected.csv`;
      const client = ctx.client();
      const line = ctx.output.progress();
      const started = Date.now();
      const summary = await uploadCsv({
        file,
        rejectsFile,
        chunkSize: MAX_RECIPIENTS_PER_CALL,
        upload: (csv) => client.campaigns.addRecipientsCsv(id, csv),
        onProgress: (p) => {
          const share = p.fileBytes === 0 ? 1 : p.bytesRead / p.fileBytes;
          const seconds = (Date.now() - started) / 1000;
          line.update(
            `uploading ${bar(share)} ${Math.floor(share * 100)}%  ${count(p.rowsSent)} rows sent  added ${count(p.added)}  duplicates ${count(p.duplicates)}  refused ${count(p.rejected)}  ${seconds > 0 ? `${count(Math.round(p.rowsSent / seconds))} rows/s` : ''}`,
          );
        },
      }).finally(() => line.done());
      const seconds = (Date.now() - started) / 1000;
      ctx.output.result({ campaignId: id, ...summary, seconds }, [
        `${count(summary.rowsRead)} rows in ${summary.chunks} requests (${duration(seconds)}): added ${count(summary.added)}, duplicates ${count(summary.duplicates)}, refused ${count(summary.rejected)}`,
        ...(summary.rejectsFile
          ? [`  refused rows, with their line and reason: ${summary.rejectsFile}`]
          : []),
      ]);
      return undefined;
    },
  },
  {
    name: 'campaigns test',
    args: ['<id>'],
    summary: 'send the rendered campaign to up to 5 addresses now (POST /v1/campaigns/{id}/test)',
    flags: {
      to: { type: 'string', multiple: true, value: '<email>', help: 'an address to send the test to' },
      ...DATA_FLAGS,
    },
    run: async (ctx, input) => {
      const to = input.list('to');
      if (to.length === 0) throw new UsageError('campaigns test: --to is required');
      const data = mergeData(input);
      const sent = await ctx.client().campaigns.test(input.arg(0), { to, ...(data ? { data } : {}) });
      ctx.output.result(sent, `test sent to ${to.join(', ')}: ${sent.ids.join(', ')}`);
      return undefined;
    },
  },
  {
    name: 'campaigns send',
    args: ['<id>'],
    summary: 'start sending now, or schedule with --at (POST /v1/campaigns/{id}/send)',
    flags: {
      at: { type: 'string', value: '<iso-date>', help: 'when to start: 2026-12-01T09:00:00Z (default: now)' },
      ...WATCH_FLAGS,
    },
    run: async (ctx, input) => {
      const at = input.string('at');
      if (at !== undefined && Number.isNaN(Date.parse(at))) {
        throw new UsageError(`campaigns send: --at must be an ISO 8601 date-time, got "${at}"`);
      }
      const interval = intervalOf(input.string('interval'));
      const campaign = await ctx.client().campaigns.send(input.arg(0), at === undefined ? {} : { at });
      for (const warning of campaign.warnings ?? []) ctx.output.note(`warning: ${warning}`);
      if (!input.flag('watch')) {
        ctx.output.result(campaign, changed(at === undefined ? 'started' : `scheduled for ${at}:`, campaign));
        return undefined;
      }
      ctx.output.note(changed('started', campaign));
      return watch(ctx, input.arg(0), interval);
    },
  },
  {
    name: 'campaigns status',
    args: ['<id>'],
    summary: 'status, counts, progress, rate and ETA (GET /v1/campaigns/{id})',
    flags: WATCH_FLAGS,
    examples: ['mailroom campaigns status cmp_123 --watch   # exit 0 when completed, 1 when cancelled'],
    run: async (ctx, input) => {
      const interval = intervalOf(input.string('interval'));
      if (input.flag('watch')) return watch(ctx, input.arg(0), interval);
      const campaign = await ctx.client().campaigns.get(input.arg(0));
      ctx.output.result(campaign, describeCampaign(campaign));
      return undefined;
    },
  },
  ...(['pause', 'resume', 'cancel'] as const).map(
    (action): Command => ({
      name: `campaigns ${action}`,
      args: ['<id>'],
      summary: `${action} a campaign (POST /v1/campaigns/{id}/${action})`,
      run: async (ctx, input) => {
        const campaign = await ctx.client().campaigns[action](input.arg(0));
        ctx.output.result(campaign, changed(`${action === 'cancel' ? 'cancelled' : `${action}d`}`, campaign));
        return undefined;
      },
    }),
  ),
];

/** --interval in milliseconds: 2 s by default, and never below 0.2 s. */
function intervalOf(raw: string | undefined): number {
  if (raw === undefined) return 2000;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0.2) {
    throw new UsageError(`--interval must be a number of seconds ≥ 0.2, got "${raw}"`);
  }
  return seconds * 1000;
}

/** `--watch`: follows the campaign to its end; completed is 0, cancelled (or a draft) is 1. */
async function watch(ctx: Context, id: string, intervalMs: number): Promise<ExitCode> {
  const client = ctx.client();
  const live = ctx.output.progress();
  const started = Date.now();
  const campaign = await watchCampaign({
    get: () => client.campaigns.get(id),
    intervalMs,
    line: live,
    ...(ctx.output.live || ctx.output.json
      ? {}
      : { log: (line: string) => ctx.io.stderr.write(`${line}\n`) }),
    ...(ctx.io.sleep ? { sleep: ctx.io.sleep } : {}),
  });
  ctx.output.result(campaign, [
    ...describeCampaign(campaign),
    `  watched     ${duration((Date.now() - started) / 1000)}`,
  ]);
  if (campaign.status === 'draft') {
    ctx.output.note(`campaign ${id} is a draft: nothing to watch until "mailroom campaigns send ${id}"`);
  }
  return campaign.status === 'completed' ? EXIT.ok : EXIT.failed;
}
