import { type SubmitEmailDeps, submitEmail } from '../../lambdas/emails/submit-email';
import { ApiError } from '../../lambdas/requests/errors';
import { NOW } from './support/factories';
import {
  InMemoryIdempotency,
  InMemoryMessages,
  InMemorySuppressions,
  InMemoryTemplates,
  RecordingQueue,
} from './support/in-memory';

function setup() {
  let ids = 0;
  const deps = {
    sendingDomain: 'acme.test',
    defaultFrom: { address: 'hello@acme.test', name: 'Acme' },
    messages: new InMemoryMessages(),
    templates: new InMemoryTemplates(),
    suppressions: new InMemorySuppressions(),
    idempotency: new InMemoryIdempotency(),
    queue: new RecordingQueue(),
    newId: () => `msg-${++ids}`,
    now: () => NOW,
  } satisfies SubmitEmailDeps;
  return deps;
}

const body = { to: 'jane@example.org', subject: 'Your code', text: '123456' };

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('submitEmail', () => {
  it('stores the rendered mail as queued and queues its id', async () => {
    // Prepare
    const deps = setup();
    // Act
    const response = await submitEmail({ body }, deps);
    // Assess
    expect(response).toEqual({ id: 'msg-1', status: 'queued', suppressed: [] });
    expect(deps.queue.enqueued).toEqual(['msg-1']);
    expect(deps.messages.items.get('msg-1')).toMatchObject({
      status: 'queued',
      from: '"Acme" <hello@acme.test>',
      to: ['jane@example.org'],
      subject: 'Your code',
      text: '123456',
    });
  });

  it('leaves suppressed recipients out and lists them', async () => {
    const deps = setup();
    deps.suppressions.entries.set('gone@example.org', 'all');
    const response = await submitEmail(
      { body: { ...body, to: ['jane@example.org', 'GONE@example.org'] } },
      deps,
    );
    expect(response.suppressed).toEqual(['GONE@example.org']);
    expect(deps.messages.items.get(response.id)?.to).toEqual(['jane@example.org']);
  });

  it('still mails an address that only unsubscribed from bulk mail', async () => {
    const deps = setup();
    deps.suppressions.entries.set('jane@example.org', 'bulk');
    const response = await submitEmail({ body }, deps);
    expect(response.suppressed).toEqual([]);
  });

  it('answers 422 and stores nothing when every recipient is suppressed', async () => {
    const deps = setup();
    deps.suppressions.entries.set('jane@example.org', 'all');
    const error = await rejection(submitEmail({ body }, deps));
    expect(error).toMatchObject({ status: 422, code: 'all_recipients_suppressed' });
    expect(deps.messages.items.size).toBe(0);
    expect(deps.queue.enqueued).toEqual([]);
  });

  it('sends the same person once when named twice', async () => {
    const deps = setup();
    const response = await submitEmail({ body: { ...body, cc: 'Jane <JANE@example.org>' } }, deps);
    const stored = deps.messages.items.get(response.id);
    expect(stored?.to).toEqual(['jane@example.org']);
    expect(stored?.cc).toEqual([]);
  });

  it('refuses a from address outside the sending domain', async () => {
    const deps = setup();
    const error = await rejection(submitEmail({ body: { ...body, from: 'ceo@other.test' } }, deps));
    expect(error).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(JSON.stringify(error.details)).toContain('acme.test');
  });

  it('renders a stored template, escaping values in html', async () => {
    const deps = setup();
    await deps.templates.put({
      name: 'welcome',
      subject: 'Welcome {{name}}',
      html: '<p>Hi {{name}}</p>',
      createdAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
    });
    const response = await submitEmail(
      { body: { to: 'jane@example.org', template: 'welcome', data: { name: '<b>Jane</b>' } } },
      deps,
    );
    expect(deps.messages.items.get(response.id)).toMatchObject({
      subject: 'Welcome <b>Jane</b>',
      html: '<p>Hi &lt;b&gt;Jane&lt;/b&gt;</p>',
      template: 'welcome',
    });
  });

  it('answers 422 for an unknown template and for a variable without a value', async () => {
    const deps = setup();
    await deps.templates.put({ name: 't', subject: 'Hi {{name}}', text: 'x', createdAt: '', updatedAt: '' });
    const unknown = await rejection(submitEmail({ body: { to: 'a@example.org', template: 'nope' } }, deps));
    const missing = await rejection(
      submitEmail({ body: { to: 'a@example.org', template: 't', data: {} } }, deps),
    );
    expect(unknown).toMatchObject({ status: 422, code: 'unknown_template' });
    expect(missing).toMatchObject({ status: 422, code: 'missing_variable', details: { variable: 'name' } });
    expect(deps.queue.enqueued).toEqual([]);
  });

  describe('with an Idempotency-Key', () => {
    it('answers a repeat with the first response and queues nothing more', async () => {
      const deps = setup();
      const first = await submitEmail({ body, idempotencyKey: 'k1' }, deps);
      const again = await submitEmail(
        { body: { text: '123456', subject: 'Your code', to: 'jane@example.org' }, idempotencyKey: 'k1' },
        deps,
      );
      expect(again).toEqual(first);
      expect(deps.queue.enqueued).toEqual([first.id]);
    });

    it('answers 409 when the key comes back with another body', async () => {
      const deps = setup();
      await submitEmail({ body, idempotencyKey: 'k1' }, deps);
      const error = await rejection(
        submitEmail({ body: { ...body, text: '654321' }, idempotencyKey: 'k1' }, deps),
      );
      expect(error).toMatchObject({ status: 409, code: 'idempotency_mismatch' });
      expect(deps.queue.enqueued).toHaveLength(1);
    });

    it('frees the key when the request is refused, so a corrected retry can use it', async () => {
      const deps = setup();
      deps.suppressions.entries.set('jane@example.org', 'all');
      await rejection(submitEmail({ body, idempotencyKey: 'k1' }, deps));
      expect(deps.idempotency.items.has('k1')).toBe(false);
    });

    it('refuses a key with spaces or over 255 characters', async () => {
      const deps = setup();
      for (const key of ['has space', 'x'.repeat(256), '']) {
        expect(await rejection(submitEmail({ body, idempotencyKey: key }, deps))).toMatchObject({
          status: 400,
        });
      }
    });
  });

  it('undoes the stored message when queueing fails, so nothing is half-accepted', async () => {
    const deps = setup();
    deps.queue.failNext = true;
    await expect(submitEmail({ body, idempotencyKey: 'k' }, deps)).rejects.toThrow('SQS unavailable');
    expect(deps.messages.items.size).toBe(0);
    expect(deps.idempotency.items.size).toBe(0);
  });

  it('answers 413 when the rendered mail is too large to store', async () => {
    const deps = setup();
    const error = await rejection(submitEmail({ body: { ...body, text: 'x'.repeat(400 * 1024) } }, deps));
    expect(error).toMatchObject({ status: 413, code: 'rendered_too_large' });
  });
});
