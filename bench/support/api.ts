import { addInvocations, countCalls, type Tally } from './aws-calls';

export type ApiCall = (
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<{ status: number; body: Record<string, unknown> }>;

/**
 * Calls local mode's API over HTTP. Its handler runs in this process, so its AWS calls are counted
 * into `tally` by instrumenting the shared SDK clients (the handler imported them already); the
 * round trip of each request stands in for the Lambda's duration (an upper bound).
 */
export async function loadApi(apiUrl: string, tally: Tally): Promise<ApiCall> {
  const { dynamo } = await import('../../lambdas/platform/clients/dynamo.js');
  const { sqs } = await import('../../lambdas/platform/clients/sqs.js');
  const { sesForReading } = await import('../../lambdas/platform/clients/ses.js');
  for (const client of [dynamo, sqs, sesForReading]) countCalls(client, tally);
  return async (method, path, body, headers = {}) => {
    const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const started = performance.now();
    const response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: text === undefined ? headers : { 'content-type': 'application/json', ...headers },
      ...(text === undefined ? {} : { body: text }),
    });
    const answer = await response.text();
    addInvocations(tally, 'api', 1, performance.now() - started);
    return { status: response.status, body: answer ? JSON.parse(answer) : {} };
  };
}

/** Calls an API served by another process (a runtime host): plain HTTP, nothing counted here. */
export function httpApi(apiUrl: string): ApiCall {
  return async (method, path, body, headers = {}) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: text === undefined ? headers : { 'content-type': 'application/json', ...headers },
      ...(text === undefined ? {} : { body: text }),
    });
    const answer = await response.text();
    return { status: response.status, body: answer ? JSON.parse(answer) : {} };
  };
}

/** Runs `work(i)` for i in [0, count) with at most `concurrency` at once. */
export async function inParallel(
  count: number,
  concurrency: number,
  work: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/** An OTP mail as product backends send them: `htmlBytes` of HTML (2 KB by default) and a line of text. */
export function otpMail(i: number, htmlBytes = 2000) {
  const head = '<p>Hello,</p><p>Your sign-in code is <b>{{code}}</b>. It expires in 10 minutes.</p>';
  const filler = '<p>If you did not ask for it, ignore this mail.</p>';
  return {
    to: `user${i}@example.org`,
    subject: 'Your sign-in code',
    html: `${head}${filler.repeat(Math.max(0, Math.round((htmlBytes - head.length) / filler.length)))}`,
    text: 'Your sign-in code is {{code}}. It expires in 10 minutes.',
    data: { code: String(100000 + (i % 900000)) },
    tags: { app: 'bench' },
  };
}

/** A newsletter-style campaign body: `htmlBytes` of HTML with merge tags and the unsubscribe link. */
export function campaignContent(htmlBytes: number) {
  const head = '<p>Hi {{first_name}},</p>';
  const tail = '<p><a href="{{unsubscribe_url}}">Unsubscribe</a></p>';
  const filler = '<p>News of the month, with a paragraph or two of text.</p>';
  const repeat = Math.max(0, Math.ceil((htmlBytes - head.length - tail.length) / filler.length));
  return {
    subject: 'News for {{first_name}}',
    html: `${head}${filler.repeat(repeat)}${tail}`,
    text: 'Hi {{first_name}}, the news of the month. Unsubscribe: {{unsubscribe_url}}',
  };
}

/**
 * A draft campaign with `count` recipients (`prefix0@example.org`, …, each with a first name),
 * added in calls of 1,000 rows, `concurrency` calls at once. Resolves the campaign id.
 */
export async function campaignWithRecipients(
  api: ApiCall,
  count: number,
  { prefix = 'r', concurrency = 1, htmlBytes = 1000 } = {},
): Promise<string> {
  const created = await api('POST', '/v1/campaigns', {
    name: `${prefix} campaign`,
    ...campaignContent(htmlBytes),
  });
  if (created.status !== 201) throw new Error(`POST /v1/campaigns: ${JSON.stringify(created)}`);
  const id = String(created.body.id);
  await inParallel(Math.ceil(count / 1000), concurrency, async (call) => {
    const rows = Array.from({ length: Math.min(1000, count - call * 1000) }, (_, j) => ({
      email: `${prefix}${call * 1000 + j}@example.org`,
      data: { first_name: `${prefix.toUpperCase()}${call * 1000 + j}` },
    }));
    let added = await api('POST', `/v1/campaigns/${id}/recipients`, { recipients: rows });
    // On a busy machine an upload can run out of time; the API keeps what it wrote and asks for the
    // same rows again, which counts the rest (as a client following its answer would).
    for (let retry = 0; retry < 3 && added.status === 503; retry++) {
      added = await api('POST', `/v1/campaigns/${id}/recipients`, { recipients: rows });
    }
    if (added.status !== 200) {
      throw new Error(`adding recipients: ${JSON.stringify(added).slice(0, 300)}`);
    }
  });
  // Every row counted, retried uploads included: a campaign short of its list would flatter the run.
  const campaign = await api('GET', `/v1/campaigns/${id}`);
  const totals = campaign.body.totals as { recipients?: number } | undefined;
  if (totals?.recipients !== count) {
    throw new Error(`the campaign holds ${totals?.recipients} recipients, not ${count}`);
  }
  return id;
}
