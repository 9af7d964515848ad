import type { Suppression, SuppressionReason } from '@mailroom/client';
import { type Command, collect } from '../command';

const describe = (s: Suppression) =>
  `${s.email.padEnd(40)} ${s.reason.padEnd(12)} ${s.scope.padEnd(5)} ${s.detail ?? ''}`.trimEnd();

/** `mailroom suppressions list|get|add|remove`. */
export const SUPPRESSION_COMMANDS: readonly Command[] = [
  {
    name: 'suppressions list',
    summary: 'the suppression list, all pages (GET /v1/suppressions)',
    flags: {
      reason: {
        type: 'string',
        value: '<reason>',
        help: 'only this reason: bounce, complaint, unsubscribe, manual',
      },
    },
    run: async (ctx, input) => {
      const reason = input.string('reason') as SuppressionReason | undefined;
      const items = await collect(
        ctx.client().suppressions.all({ limit: 100, ...(reason ? { reason } : {}) }),
      );
      ctx.output.result({ items }, items.length === 0 ? 'no suppressions' : items.map(describe));
      return undefined;
    },
  },
  {
    name: 'suppressions get',
    args: ['<email>'],
    summary: 'one entry of the suppression list (GET /v1/suppressions/{email})',
    run: async (ctx, input) => {
      const entry = await ctx.client().suppressions.get(input.arg(0));
      ctx.output.result(entry, describe(entry));
      return undefined;
    },
  },
  {
    name: 'suppressions add',
    args: ['<email>'],
    summary: 'suppress an address (PUT /v1/suppressions/{email})',
    flags: {
      reason: { type: 'string', value: '<reason>', help: 'default manual' },
      scope: {
        type: 'string',
        value: 'all|bulk',
        help: 'all (default): no mail at all; bulk: campaigns only',
      },
      detail: { type: 'string', value: '<text>', help: 'a note for people' },
    },
    run: async (ctx, input) => {
      const reason = input.string('reason') as SuppressionReason | undefined;
      const scope = input.string('scope') as 'all' | 'bulk' | undefined;
      const detail = input.string('detail');
      const entry = await ctx.client().suppressions.put(input.arg(0), {
        ...(reason ? { reason } : {}),
        ...(scope ? { scope } : {}),
        ...(detail === undefined ? {} : { detail }),
      });
      ctx.output.result(entry, `suppressed ${describe(entry)}`);
      return undefined;
    },
  },
  {
    name: 'suppressions remove',
    args: ['<email>'],
    summary: 'let mail reach an address again (DELETE /v1/suppressions/{email})',
    run: async (ctx, input) => {
      await ctx.client().suppressions.delete(input.arg(0));
      ctx.output.result({ removed: input.arg(0) }, `removed ${input.arg(0)} from the suppression list`);
      return undefined;
    },
  },
];
