import type { SendEmailRequest } from '@mailroom/client';
import { type Command, DATA_FLAGS, MESSAGE_FLAGS, mergeData, messageOf } from '../command';
import { UsageError } from '../exit-codes';

/** `mailroom send` and `mailroom emails get`. */
export const EMAIL_COMMANDS: readonly Command[] = [
  {
    name: 'send',
    summary: 'send one transactional mail (POST /v1/emails)',
    flags: {
      to: { type: 'string', multiple: true, value: '<email>', help: 'a recipient' },
      cc: { type: 'string', multiple: true, value: '<email>', help: 'a Cc recipient' },
      bcc: { type: 'string', multiple: true, value: '<email>', help: 'a Bcc recipient' },
      ...MESSAGE_FLAGS,
      ...DATA_FLAGS,
      'idempotency-key': {
        type: 'string',
        value: '<key>',
        help: 'the same key sends once however often the command runs (default: a new one per run)',
      },
    },
    examples: [
      'mailroom send --to jane@example.org --subject "Your code" --text "Your code is {{code}}" --var code=482913',
      'mailroom send --to jane@example.org --template welcome --data \'{"first_name":"Jane"}\' --json',
    ],
    run: async (ctx, input) => {
      const to = input.list('to');
      if (to.length === 0) throw new UsageError('send: --to is required');
      const list = (name: 'cc' | 'bcc') => (input.list(name).length > 0 ? { [name]: input.list(name) } : {});
      const data = mergeData(input);
      const request = {
        to,
        ...list('cc'),
        ...list('bcc'),
        ...messageOf(input),
        ...(data === undefined ? {} : { data }),
      } as SendEmailRequest;
      const key = input.string('idempotency-key');
      const accepted = await ctx
        .client()
        .emails.send(request, key === undefined ? {} : { idempotencyKey: key });
      ctx.output.result(accepted, [
        `queued ${accepted.id}`,
        ...(accepted.suppressed.length > 0
          ? [`  suppressed (not sent): ${accepted.suppressed.join(', ')}`]
          : []),
      ]);
      return undefined;
    },
  },
  {
    name: 'emails get',
    args: ['<id>'],
    summary: 'a sent mail: status, SES message id, events (GET /v1/emails/{id})',
    run: async (ctx, input) => {
      const email = await ctx.client().emails.get(input.arg(0));
      ctx.output.result(email, [
        `${email.id}  ${email.status}`,
        `  to       ${email.to.join(', ')}`,
        `  subject  ${email.subject}`,
        ...email.events.map(
          (event) => `  ${event.at}  ${event.type}${event.detail ? `  ${event.detail}` : ''}`,
        ),
      ]);
      return undefined;
    },
  },
];
