import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, ElementHandle, Page } from 'puppeteer-core';
import { PLACEHOLDER_UNSUBSCRIBE_URL } from '../../lambdas/campaigns/unsubscribe-link';
import { LOCAL_SES_ACCOUNT } from '../../local/ses-account';
import { api, type LocalMode, startLocalMode } from '../integration/support/local-mode';
import { expectRefusalLogged, launchBrowser, recordProblems } from './support/browser';

/** Screenshots of each page, kept for a person to look at (git-ignored). */
const ARTIFACTS = resolve(__dirname, '../../test-artifacts/console');
/** The account's rate in this local mode: ~500 mails take long enough (~12 s) to pause half-way. */
const RATE = 40;
const HOOK_TIMEOUT_MS = 120_000;
// A project's testTimeout is not applied per project (nor to hooks): each test file sets its own.
jest.setTimeout(180_000);

let local: LocalMode;
let browser: Browser;
let page: Page;
let problems: string[];
let consoleUrl: string;
let files: string;
/** A webhook receiver on loopback (local mode allows loopback receivers): it answers and counts. */
let receiver: Server;
let received = 0;
let receiverStatus = 204;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  files = mkdtempSync(join(tmpdir(), 'mailroom-console-'));
  local = await startLocalMode({
    AWS_SES_ACCOUNT: JSON.stringify({
      ...LOCAL_SES_ACCOUNT,
      SendQuota: { ...LOCAL_SES_ACCOUNT.SendQuota, MaxSendRate: RATE },
    }),
    // One attempt per delivery: a failing receiver disables its webhook at once (to enable it again).
    WEBHOOK_RETRY_SCHEDULE: '0',
  });
  consoleUrl = /Console\s+(http:\/\/\S+)/.exec(local.output())?.[1] ?? '';
  receiver = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      received += 1;
      response.writeHead(receiverStatus).end();
    });
  });
  await new Promise<void>((listening) => receiver.listen(0, '127.0.0.1', listening));
  browser = await launchBrowser();
  page = await browser.newPage();
  problems = recordProblems(page);
}, HOOK_TIMEOUT_MS);

afterAll(async () => {
  // Local mode's log beside the screenshots: what the API logged when a page saw an error.
  if (local) writeFileSync(join(ARTIFACTS, 'local-mode.log'), local.output());
  await browser?.close();
  await local?.stop();
  await new Promise((closed) => (receiver ? receiver.close(closed) : closed(undefined)));
  if (files) rmSync(files, { recursive: true, force: true });
}, HOOK_TIMEOUT_MS);

afterEach(() => {
  const seen = problems.splice(0);
  expect(seen).toEqual([]);
});

async function open(hash: string): Promise<void> {
  await page.goto(`${consoleUrl}${hash}`, { waitUntil: 'load' });
}

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

async function text(selector: string): Promise<string> {
  return page.$eval(selector, (element) => element.textContent ?? '');
}

/** Waits until the element's text matches. */
async function waitForText(selector: string, pattern: RegExp, timeout = 30_000): Promise<string> {
  await page.waitForFunction(
    (s: string, source: string) => new RegExp(source).test(document.querySelector(s)?.textContent ?? ''),
    { timeout, polling: 100 },
    selector,
    pattern.source,
  );
  return text(selector);
}

/**
 * Replaces a field's text by typing, as a person would (the page sees every input event): the
 * first key typed replaces the selected old text, so the field is never seen empty in between
 * (an empty sample would be a preview with no data).
 */
async function fill(selector: string, value: string): Promise<void> {
  await page.click(selector);
  await page.keyboard.down('Control');
  await page.keyboard.press('A');
  await page.keyboard.up('Control');
  await page.type(selector, value);
}

/**
 * Sets a field's value at once and tells the page with an input event, as typing would end (for
 * what is slow or awkward to type: a long mail, a datetime-local value).
 */
async function setValue(selector: string, value: string): Promise<void> {
  await page.$eval(
    selector,
    (field, v) => {
      (field as HTMLInputElement | HTMLTextAreaElement).value = v;
      field.dispatchEvent(new Event('input', { bubbles: true }));
    },
    value,
  );
}

/** Waits for the browser to log an API refusal the page asked for and shows, and takes it out. */
async function refusalLogged(status: number, path: string): Promise<void> {
  const logged = () => problems.some((p) => p.includes(`status of ${status}`) && p.includes(path));
  for (let i = 0; i < 300 && !logged(); i++) await new Promise((tick) => setTimeout(tick, 50));
  expectRefusalLogged(problems, status, path);
}

/** The previewed mail's HTML, as the preview holds it (in the shadow root, sanitized). */
async function mailHtml(): Promise<string> {
  await page.waitForFunction(() =>
    document.querySelector('#preview-html')?.shadowRoot?.querySelector('.mail-body'),
  );
  return page.$eval('#preview-html', (host) => host.shadowRoot?.querySelector('.mail-body')?.innerHTML ?? '');
}

async function clickButton(label: string): Promise<void> {
  const button = await page.waitForSelector(`::-p-xpath(//button[normalize-space()="${label}"])`);
  await (button as ElementHandle<HTMLButtonElement>).click();
}

describe('the console in local mode', () => {
  it('is served at /console and printed by npm start', async () => {
    expect(consoleUrl).toBe(`${local.apiUrl}/console/`);
    const redirect = await fetch(`${local.apiUrl}/console`, { redirect: 'manual' });
    expect(redirect.status).toBe(308);
    expect(redirect.headers.get('location')).toBe('/console/');
    // Only GET and HEAD under /console; every other path stays the API's (404 as before).
    expect((await fetch(`${local.apiUrl}/console/`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${local.apiUrl}/console/nothing.js`)).status).toBe(404);
    const outside = await fetch(`${local.apiUrl}/consoles`);
    expect(outside.status).toBe(404);
    expect(await outside.json()).toMatchObject({ error: { code: expect.any(String) } });
  });

  it('shows the account on the overview', async () => {
    await open('#/');

    const value = await waitForText('main', /MaxSendRate/);
    expect(value).toContain('production');
    expect(value).toContain(`${RATE}/s`);
    expect(value).toContain('Bulk mail flows');
    const rates = await text('#bulk-rates');
    expect(rates).toContain('Bulk mail of the last 24 h: 0 sent');
    expect(rates).toMatch(/Bounces0–4%5%no bulk mail yet/);
    expect(rates).toMatch(/Complaints0–0\.08%0\.1%no bulk mail yet/);
    expect(await text('#guard-sample')).toContain('from 200 bulk mails in the window on (0 so far)');
    await screenshot('overview');
  });

  it('is usable by keyboard: Tab reaches the navigation, Enter opens a page and focuses its heading', async () => {
    await open('#/');
    await waitForText('main', /MaxSendRate/);

    let focused = '';
    for (let i = 0; i < 10 && focused !== 'Campaigns'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
    }
    await page.keyboard.press('Enter');

    await page.waitForFunction(() => location.hash === '#/campaigns');
    await page.waitForFunction(() => document.activeElement?.tagName === 'H1');
    expect(await text('h1')).toBe('Campaigns');
  });

  it('creates a campaign from a 500-row CSV, lists the 3 refused rows, test-sends, sends, pauses, resumes and completes it', async () => {
    // 500 data rows: row 100 has no valid address, row 250 leaves {{first_name}} empty, row 400 has
    // a cell too many.
    const rows = Array.from({ length: 500 }, (_, i) => `reader${i + 1}@example.org,Reader ${i + 1}`);
    rows[99] = 'not-an-address,Broken';
    rows[249] = 'nameless@example.org,';
    rows[399] = 'extra@example.org,Extra,cell';
    const csv = join(files, 'recipients.csv');
    writeFileSync(csv, ['email,first_name', ...rows].join('\n'));

    await open('#/campaigns/new');
    await fill('#name', 'Console launch');
    await fill('#subject', 'News for {{first_name}}');
    await fill('#html', '<p>Hi {{first_name}}</p><p><a href="{{unsubscribe_url}}">Unsubscribe</a></p>');
    await fill('#text', 'Hi {{first_name}}. Unsubscribe: {{unsubscribe_url}}');
    // The preview renders with the sample data as the server would, escaping values in the HTML.
    await fill('#sample-data', '{"first_name": "<b>Ann</b>"}');
    expect(await waitForText('#preview-subject', /News for <b>Ann<\/b>/)).toBe('News for <b>Ann</b>');
    const previewHtml = await mailHtml();
    expect(previewHtml).toContain('<p>Hi &lt;b&gt;Ann&lt;/b&gt;</p>');
    expect(previewHtml).toContain(`<a href="${PLACEHOLDER_UNSUBSCRIBE_URL}">Unsubscribe</a>`);
    expect(await text('#preview-text')).toBe(`Hi <b>Ann</b>. Unsubscribe: ${PLACEHOLDER_UNSUBSCRIBE_URL}`);
    expect(await page.$('#unsubscribe-warning')).toBeNull();
    await screenshot('campaign-new');
    await clickButton('Create draft');
    await page.waitForFunction(
      () => /^#\/campaigns\/[^/]+$/.test(location.hash) && !location.hash.endsWith('/new'),
    );
    const id = decodeURIComponent((await page.evaluate(() => location.hash)).split('/')[2] ?? '');
    await waitForText('#campaign-status', /draft/);

    const input = (await page.waitForSelector('#csv')) as ElementHandle<HTMLInputElement>;
    await input.uploadFile(csv);
    const summary = await waitForText('#upload-summary', /refused\.$/);
    expect(summary).toContain('500 of 500 rows sent; 497 added, 0 duplicates, 3 refused.');
    const refused = await page.$$eval('#refused-rows tbody tr', (trs) =>
      trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? '')),
    );
    expect(refused.map(([row, email]) => [row, email])).toEqual([
      ['100', 'not-an-address'],
      ['250', 'nameless@example.org'],
      ['400', ''],
    ]);
    expect(refused[1]?.[2]).toContain('first_name');
    expect(refused[2]?.[2]).toContain('3 cells');
    await waitForText('#sent-count', /0 \/ 497/);
    await screenshot('campaign-uploaded');
    // The file's first row is the preview's sample data until another is given.
    expect(await page.$eval('#test-data', (area) => (area as HTMLTextAreaElement).value)).toBe(
      '{"first_name":"Reader 1"}',
    );
    await waitForText('#preview-subject', /News for Reader 1/);

    await fill('#test-to', 'tester@example.org');
    await fill('#test-data', '{"first_name": "Tess"}');
    // The campaign's preview renders with the test send's sample data.
    await waitForText('#preview-subject', /News for Tess/);
    await clickButton('Send a test');
    await waitForText('#test-result', /Test sent/);
    await page.click('#test-result a');
    await waitForText('#email-status', /sent/);
    expect(await text('main')).toContain('[Test] News for Tess');
    await screenshot('email');
    await open(`#/campaigns/${encodeURIComponent(id)}`);

    await clickButton('Send now');
    await waitForText('#campaign-status', /sending/);
    await page.waitForFunction(
      () =>
        Number(
          (document.querySelector('#sent-count')?.textContent ?? '').split(' / ')[0]?.replace(/,/g, ''),
        ) >= 50,
      { timeout: 60_000, polling: 100 },
    );
    await clickButton('Pause');
    await waitForText('#campaign-status', /paused/);
    const sentWhenPaused = Number((await text('#sent-count')).split(' / ')[0]?.replace(/,/g, ''));
    expect(sentWhenPaused).toBeLessThan(497);
    await screenshot('campaign-paused');
    await clickButton('Resume');

    await waitForText('#campaign-status', /completed/, 120_000);
    expect(await text('#sent-count')).toBe('497 / 497');
    const numbers = await text('#campaign-numbers');
    expect(numbers).toMatch(/Failed0/);
    const campaign = await api(local.apiUrl, 'GET', `/v1/campaigns/${encodeURIComponent(id)}`);
    expect(campaign.body).toMatchObject({
      status: 'completed',
      totals: { recipients: 497, sent: 497, failed: 0, suppressed: 0, cancelled: 0 },
    });
    // Every mail of local mode's simulator is delivered: the page shows the events as they arrive.
    await page.waitForFunction(
      () => /Delivered497/.test(document.querySelector('#campaign-numbers')?.textContent ?? ''),
      {
        timeout: 60_000,
        polling: 500,
      },
    );
    await screenshot('campaign-completed');
    await page.setViewport({ width: 390, height: 844 });
    await screenshot('campaign-phone');
    await page.setViewport({ width: 1280, height: 800 });

    await open('#/campaigns');
    await waitForText('main', /Console launch/);
    await screenshot('campaigns');

    // The overview shows the bulk rates the reputation guard judges, from the same counts as the API.
    await open('#/');
    const rates = await waitForText('#bulk-rates', /Bulk mail of the last 24 h: [1-9]/);
    const { bulkReputation } = (await api(local.apiUrl, 'GET', '/v1/account')).body as {
      bulkReputation: { sent: number; bounced: number; complained: number };
    };
    expect(bulkReputation).toMatchObject({ bounced: 0, complained: 0 });
    expect(bulkReputation.sent).toBeGreaterThanOrEqual(497);
    expect(rates).toMatch(/Bounces00%4%5%healthy/);
    expect(rates).toMatch(/Complaints00%0\.08%0\.1%healthy/);
    await waitForText('#guard-sample', /The guard judges these rates/);
    await screenshot('overview-after-campaign');
  });

  it('adds a suppression with its reason, finds it by email, and says when an address is not suppressed', async () => {
    await open('#/suppressions');
    await fill('#add-email', 'Blocked@Example.org');
    await page.select('#add-reason', 'complaint');
    await fill('#add-detail', 'asked by phone');
    await clickButton('Suppress');
    await waitForText('#suppression-list', /blocked@example\.org/);

    await fill('#search-email', 'blocked@example.org');
    await clickButton('Search');
    const found = await waitForText('#search-result', /suppressed/);
    expect(found).toContain('blocked@example.org is suppressed');
    expect(found).toContain('complaint');
    expect(found).toContain('asked by phone');
    await screenshot('suppressions');

    // The API answers 404 for an address that is not on the list; the browser logs that response.
    await fill('#search-email', 'nobody@example.org');
    await clickButton('Search');
    expect(await waitForText('#search-result', /nobody/)).toContain('nobody@example.org is not suppressed');
    expectRefusalLogged(problems, 404, '/v1/suppressions/nobody%40example.org');
  });

  it('shows a template syntax error at its line, then saves the corrected template', async () => {
    await open('#/templates/new');
    await fill('#template-name', 'welcome');
    // The data first: the preview renders the template as it is typed, and every variable has a value.
    await fill('#template-sample', '{"first_name": "Ann", "vip": true}');
    await fill('#template-subject', 'Welcome {{first_name}}');
    await fill('#template-html', '<p>Hi {{first_name}}</p>\n<p>{{#if vip}}VIP{{/each}}</p>');
    // Found as it is typed, by the check the API runs, at its line: before any save.
    const typed = await waitForText('#syntax-error', /Line 2/);
    expect(typed).toContain('{{#if vip}}VIP{{/each}}');
    expect(await page.$('#preview')).toBeNull();
    await clickButton('Save');

    await refusalLogged(400, '/v1/templates/welcome');
    const error = await waitForText('#syntax-error', /Line 2/);
    expect(error).toContain('{{#if vip}}VIP{{/each}}');
    await screenshot('template-error');

    await fill('#template-html', '<p>Hi {{first_name}}</p>\n<p>{{#if vip}}VIP{{/if}}</p>');
    expect(await page.$('#syntax-error')).toBeNull();
    // The preview follows the typing: it ends on the whole template, rendered.
    await page.waitForFunction(
      () =>
        document.querySelector('#preview-html')?.shadowRoot?.querySelector('.mail-body')?.innerHTML ===
        '<p>Hi Ann</p>\n<p>VIP</p>',
    );
    expect(await text('#preview-subject')).toBe('Welcome Ann');
    await fill('#template-sample', '{"vip": true}');
    expect(await waitForText('#preview-error', /first_name/)).toContain('"first_name" has no value');
    await refusalLogged(422, '/v1/previews');
    await screenshot('template-preview');
    await clickButton('Save');
    await page.waitForFunction(() => location.hash === '#/templates/welcome');
    await open('#/templates');
    await waitForText('main', /welcome/);
    await screenshot('templates');
  });

  it('adds a webhook, shows its secret once, sends a test event, lists its deliveries, enables it again once a failure disabled it, and deletes it', async () => {
    const address = receiver.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hooks`;
    await open('#/webhooks');
    await waitForText('main', /No webhooks yet/);
    await fill('#webhook-url', url);
    // One event type only: the mail this test sends (the others' is delivered by now).
    await page.click('#webhook-all-events');
    await page.click('input[name="events"][value="delivered"]');
    await clickButton('Add webhook');

    const shown = await waitForText('#webhook-secret', /shown only this once/);
    expect(shown).toContain(url);
    const secret = await page.$eval('#webhook-secret-value', (input) => (input as HTMLInputElement).value);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]+$/);
    await waitForText('#webhook-list', new RegExp(url.replace(/[.]/g, '\\.')));
    await screenshot('webhooks');
    await clickButton('I have stored it');
    expect(await page.$('#webhook-secret')).toBeNull();

    expect(await text('#webhook-list')).toContain('delivered');
    await page.click('#webhook-list a');
    await waitForText('#webhook-status', /enabled/);
    // The secret is not on the webhook's page: the API never shows it again.
    expect(await text('main')).not.toContain(secret);
    await clickButton('Send a test event');
    await waitForText('#webhook-test-result', /Test event queued/);
    const delivery = await waitForText('#webhook-deliveries tbody', /test.*succeeded/);
    expect(delivery).toContain('204');
    expect(delivery).toMatch(/\d+ ms/);
    expect(received).toBe(1);
    await screenshot('webhook');

    // The receiver fails a real event's only attempt: the webhook is disabled; the page enables it.
    receiverStatus = 500;
    const id = decodeURIComponent((await page.evaluate(() => location.hash)).split('/')[2] ?? '');
    const sent = await api(local.apiUrl, 'POST', '/v1/emails', {
      to: 'success@simulator.amazonses.com',
      subject: 'For the webhook',
      text: 'Delivered, then reported.',
    });
    expect(sent.status).toBe(202);
    let status = '';
    for (let i = 0; i < 600 && status !== 'disabled'; i++) {
      status = String((await api(local.apiUrl, 'GET', `/v1/webhooks/${id}`)).body.status);
      if (status !== 'disabled') await new Promise((tick) => setTimeout(tick, 100));
    }
    await page.reload({ waitUntil: 'load' });
    await waitForText('#webhook-status', /disabled/);
    await waitForText('#webhook-deliveries tbody', /delivered.*failed.*500/);
    expect(await text('main')).toContain('Nothing is sent to it until it is enabled again');
    receiverStatus = 204;
    await clickButton('Enable again');
    await waitForText('#webhook-status', /enabled/);

    await clickButton('Delete…');
    await clickButton('Yes, delete the webhook');
    await page.waitForFunction(() => location.hash === '#/webhooks');
    await waitForText('main', /No webhooks yet/);
    const listed = await api(local.apiUrl, 'GET', '/v1/webhooks');
    expect(listed.body).toEqual({ items: [] });
  });

  it('warns while a campaign has no unsubscribe link, and again on its page', async () => {
    const template = await api(local.apiUrl, 'PUT', '/v1/templates/linkless', {
      subject: 'Linkless {{first_name}}',
      html: '<p>Hi {{first_name}}</p>',
    });
    expect(template.status).toBe(201);
    await open('#/campaigns/new');
    // From a template: its content is previewed, and it has no link either.
    await page.click('input[name="source"][value="template"]');
    await waitForText('#template', /linkless/);
    await page.select('#template', 'linkless');
    expect(await waitForText('#preview-subject', /Linkless/)).toBe('Linkless Ann');
    expect(await text('#unsubscribe-warning')).toContain('The HTML has no {{unsubscribe_url}} link');
    await page.click('input[name="source"][value="content"]');
    await fill('#name', 'No link');
    await fill('#subject', 'Hello {{first_name}}');
    await fill('#html', '<p>Hi {{first_name}}</p>');
    expect(await waitForText('#unsubscribe-warning', /unsubscribe_url/)).toContain(
      'The HTML has no {{unsubscribe_url}} link',
    );
    await screenshot('campaign-no-unsubscribe');
    await fill('#html', '<p>Hi {{first_name}}</p><a href="{{unsubscribe_url}}">Leave</a>');
    await page.waitForFunction(() => document.querySelector('#unsubscribe-warning') === null);

    await fill('#html', '<p>Hi {{first_name}}</p>');
    await clickButton('Create draft');
    await page.waitForFunction(
      () => /^#\/campaigns\/[^/]+$/.test(location.hash) && !location.hash.endsWith('/new'),
    );
    await waitForText('#campaign-status', /draft/);
    expect(await text('main')).toContain('The HTML has no {{unsubscribe_url}} link');
  });

  it('edits a draft: new content its recipients cannot render is refused with their addresses, then saved', async () => {
    const created = await api(local.apiUrl, 'POST', '/v1/campaigns', {
      name: 'To edit',
      subject: 'Old for {{first_name}}',
      html: '<p>Hi {{first_name}}</p><a href="{{unsubscribe_url}}">Unsubscribe</a>',
      tags: { kind: 'news' },
    });
    const id = (created.body as { id: string }).id;
    await api(local.apiUrl, 'POST', `/v1/campaigns/${encodeURIComponent(id)}/recipients`, {
      recipients: [
        { email: 'pro@example.org', data: { first_name: 'Pat', plan: 'Pro' } },
        { email: 'free@example.org', data: { first_name: 'Fay' } },
      ],
    });
    await open(`#/campaigns/${encodeURIComponent(id)}`);
    await waitForText('#campaign-status', /draft/);
    await page.click('#edit');
    await page.waitForSelector('#subject');
    expect(await page.$eval('#subject', (input) => (input as HTMLInputElement).value)).toBe(
      'Old for {{first_name}}',
    );
    expect(await page.$eval('#name', (input) => (input as HTMLInputElement).value)).toBe('To edit');

    // Sample data that has `plan`: the preview renders, the recipient without it does not.
    await fill('#sample-data', '{"first_name": "Ann", "plan": "Pro"}');
    await fill('#subject', 'Your {{plan}} plan');
    await waitForText('#preview-subject', /Your Pro plan/);
    await clickButton('Save changes');
    await waitForText('#unrenderable-recipients', /free@example\.org: missing variable "plan"/);
    await refusalLogged(422, `/v1/campaigns/${id}`);
    await screenshot('campaign-edit-refused');

    await fill('#subject', 'New for {{first_name}}');
    await fill('#name', 'Edited');
    await clickButton('Save changes');
    await page.waitForFunction(
      (hash: string) => location.hash === hash,
      {},
      `#/campaigns/${encodeURIComponent(id)}`,
    );
    await waitForText('main', /New for \{\{first_name\}\}/);
    const stored = await api(local.apiUrl, 'GET', `/v1/campaigns/${encodeURIComponent(id)}`);
    expect(stored.body).toMatchObject({
      name: 'Edited',
      content: { subject: 'New for {{first_name}}' },
      tags: { kind: 'news' },
    });
  });

  it('previews a styled mail as a mail client shows it, inside the CSP: no script runs, no remote image loads', async () => {
    await open('#/campaigns/new');
    await fill('#subject', 'Styled');
    const html = [
      '<style>body { background: #f0f0ff } .cta { font-weight: 700 }</style>',
      '<p id="hello" style="color: rgb(200, 0, 0); margin: 0" onclick="document.title = 1">Hi {{first_name}}</p>',
      '<a class="cta" href="{{unsubscribe_url}}">Unsubscribe</a> <a id="js" href="javascript:void(0)">x</a>',
      '<img src="https://tracker.example/open.gif" alt="logo" width="40" height="20">',
      '<script>document.title = "ran"</script>',
      // Hostile or merely remote: none may reach outside the preview, load, or log a CSP report.
      '<style>:host { position: fixed !important; inset: 0 !important; z-index: 99999 !important }',
      '@font-face { font-family: f; src: url(https://fonts.example/f.woff2) } body p { color: rgb(0, 0, 200) }',
      '.intro { color: rgb(0, 150, 0) } ul { list-style-image: url(https://t.example/dot.png) }</style>',
      '<div id="cover" style="position: fixed; inset: 0; z-index: 2147483647"></div>',
      '<p class="intro">Intro</p><ul><li>one</li></ul>',
      '<table><tr><td id="cell" background="https://t.example/bg.png" style="background-image: url(https://t.example/x.png)">cell</td></tr></table>',
      '<map name="m"><area id="area" shape="rect" coords="0,0,10,10" href="https://t.example/area"></map>',
      '<p title="use style=bold" style="font-style: italic" id="titled">titled</p>',
    ].join('\n');
    // Set at once (typing a script tag key by key is slow), as an input event the page sees.
    await setValue('#html', html);
    await mailHtml();
    await page.waitForFunction(() =>
      /Hi Ann/.test(document.querySelector('#preview-html')?.shadowRoot?.textContent ?? ''),
    );
    const shown = await page.$eval('#preview-html', (host) => {
      const root = host.shadowRoot as ShadowRoot;
      const style = (selector: string) => getComputedStyle(root.querySelector(selector) as Element);
      const image = root.querySelector('img') as HTMLImageElement;
      return {
        color: style('#hello').color,
        bold: style('.cta').fontWeight,
        background: style('.mail-body').backgroundColor,
        handler: root.querySelector('#hello')?.getAttribute('onclick') ?? null,
        script: root.querySelector('script') !== null,
        scriptUrl: root.querySelector('#js')?.getAttribute('href') ?? null,
        image: { src: image.getAttribute('src'), remote: image.dataset.remoteSrc, alt: image.alt },
        title: document.title,
      };
    });
    const contained = await page.$eval('#preview-html', (host) => {
      const root = host.shadowRoot as ShadowRoot;
      const box = host.getBoundingClientRect();
      const cover = (root.querySelector('#cover') as Element).getBoundingClientRect();
      const cell = root.querySelector('#cell') as HTMLElement;
      return {
        hostHeight: box.height,
        coverInside: cover.width <= box.width + 1 && cover.height <= box.height + 1,
        intro: getComputedStyle(root.querySelector('.intro') as Element).color,
        cellLoads: [cell.getAttribute('background'), cell.style.backgroundImage],
        listImage: getComputedStyle(root.querySelector('ul') as Element).listStyleImage,
        titled: [
          (root.querySelector('#titled') as HTMLElement).title,
          getComputedStyle(root.querySelector('#titled') as Element).fontStyle,
        ],
        areaPrevented: !(root.querySelector('#area') as HTMLElement).dispatchEvent(
          new MouseEvent('click', { bubbles: true, cancelable: true, composed: true }),
        ),
      };
    });
    expect(contained).toEqual({
      hostHeight: 360,
      coverInside: true,
      intro: 'rgb(0, 150, 0)',
      cellLoads: [null, ''],
      listImage: 'none',
      titled: ['use style=bold', 'italic'],
      areaPrevented: true,
    });
    expect(shown).toEqual({
      color: 'rgb(200, 0, 0)',
      bold: '700',
      background: 'rgb(240, 240, 255)',
      handler: null,
      script: false,
      scriptUrl: null,
      image: { src: null, remote: 'https://tracker.example/open.gif', alt: 'logo' },
      title: expect.not.stringMatching(/ran|^1$/),
    });
    // The console's own styles are untouched by the mail's.
    expect(await page.$eval('main', (main) => getComputedStyle(main).backgroundColor)).not.toBe(
      'rgb(240, 240, 255)',
    );
    await screenshot('campaign-styled-preview');
  });

  it('schedules a campaign for a time, then cancels it', async () => {
    const created = await api(local.apiUrl, 'POST', '/v1/campaigns', {
      name: 'Later',
      subject: 'Later for {{first_name}}',
      html: '<p>Hi {{first_name}}</p><a href="{{unsubscribe_url}}">Unsubscribe</a>',
    });
    const id = (created.body as { id: string }).id;
    await api(local.apiUrl, 'POST', `/v1/campaigns/${encodeURIComponent(id)}/recipients`, {
      recipients: [{ email: 'later@example.org', data: { first_name: 'Lee' } }],
    });
    await open(`#/campaigns/${encodeURIComponent(id)}`);
    await waitForText('#campaign-status', /draft/);

    // A day ahead, as the datetime-local field takes it (local time, to the minute).
    const at = new Date(Date.now() + 86_400_000);
    const pad = (n: number) => String(n).padStart(2, '0');
    const value = `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
    await setValue('#send-at', value);
    await clickButton('Schedule');
    await waitForText('#campaign-status', /scheduled/);
    const scheduled = await api(local.apiUrl, 'GET', `/v1/campaigns/${encodeURIComponent(id)}`);
    expect(scheduled.body).toMatchObject({ status: 'scheduled' });
    const scheduledAt = new Date((scheduled.body as { scheduledAt: string }).scheduledAt);
    at.setSeconds(0, 0);
    expect(scheduledAt.toISOString()).toBe(at.toISOString());
    expect(await text('main')).toContain(`scheduled for ${scheduledAt.toLocaleString()}`);
    await screenshot('campaign-scheduled');

    await clickButton('Cancel campaign…');
    await clickButton('Yes, cancel the campaign');
    await waitForText('#campaign-status', /cancelled/);
    const cancelled = await api(local.apiUrl, 'GET', `/v1/campaigns/${encodeURIComponent(id)}`);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', totals: { recipients: 1, sent: 0 } });
  });
});
