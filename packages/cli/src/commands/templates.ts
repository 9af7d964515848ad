import { CONTENT_FLAGS, type Command, collect, contentOf } from '../command';
import { UsageError } from '../exit-codes';

/** `mailroom templates put|get|list|delete`. */
export const TEMPLATE_COMMANDS: readonly Command[] = [
  {
    name: 'templates put',
    args: ['<name>'],
    summary: 'create or replace a stored template (PUT /v1/templates/{name})',
    flags: CONTENT_FLAGS,
    examples: ['mailroom templates put welcome --subject "Welcome {{first_name}}" --html-file welcome.html'],
    run: async (ctx, input) => {
      const { subject, ...bodies } = contentOf(input);
      if (subject === undefined) throw new UsageError('templates put: --subject is required');
      if (bodies.text === undefined && bodies.html === undefined) {
        throw new UsageError('templates put: give --text or --html (or --text-file, --html-file)');
      }
      const template = await ctx.client().templates.put(input.arg(0), { subject, ...bodies });
      ctx.output.result(template, `saved template ${template.name} (updated ${template.updatedAt})`);
      return undefined;
    },
  },
  {
    name: 'templates get',
    args: ['<name>'],
    summary: 'a stored template (GET /v1/templates/{name})',
    run: async (ctx, input) => {
      const template = await ctx.client().templates.get(input.arg(0));
      ctx.output.result(template, [
        `${template.name}  (updated ${template.updatedAt})`,
        `subject: ${template.subject}`,
        ...(template.text === undefined ? [] : ['--- text', template.text]),
        ...(template.html === undefined ? [] : ['--- html', template.html]),
      ]);
      return undefined;
    },
  },
  {
    name: 'templates list',
    summary: 'every stored template, all pages (GET /v1/templates)',
    run: async (ctx) => {
      const items = await collect(ctx.client().templates.all({ limit: 100 }));
      ctx.output.result(
        { items },
        items.length === 0
          ? 'no templates'
          : items.map((t) => `${t.name.padEnd(32)} ${t.updatedAt}  ${t.subject}`),
      );
      return undefined;
    },
  },
  {
    name: 'templates delete',
    args: ['<name>'],
    summary: 'delete a stored template (DELETE /v1/templates/{name})',
    run: async (ctx, input) => {
      await ctx.client().templates.delete(input.arg(0));
      ctx.output.result({ deleted: input.arg(0) }, `deleted template ${input.arg(0)}`);
      return undefined;
    },
  },
];
