import { MailroomClient } from '@mailroom/client';

describe('the client in a browser', () => {
  it("calls fetch as a plain function, as a browser's fetch requires (else: Illegal invocation)", async () => {
    const receivers: unknown[] = [];
    // A browser's window.fetch throws "Illegal invocation" when called as a method of another object.
    const fetchLikeABrowser = function (this: unknown): Promise<Response> {
      receivers.push(this);
      return Promise.resolve(
        new Response('{"items":[]}', { headers: { 'content-type': 'application/json' } }),
      );
    };
    const client = new MailroomClient({
      apiUrl: 'http://127.0.0.1:3000',
      fetch: fetchLikeABrowser as typeof fetch,
    });

    await client.templates.list();

    expect(receivers).toEqual([undefined]);
  });
});
