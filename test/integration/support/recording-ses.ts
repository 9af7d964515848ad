import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import startSesServer from 'aws-ses-v2-local';

export interface RecordedSend {
  at: number;
  body: {
    FromEmailAddress?: string;
    ConfigurationSetName?: string;
    Destination?: { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] };
    EmailTags?: { Name: string; Value: string }[];
    Content?: { Simple?: { Subject?: { Data: string }; Headers?: { Name: string; Value: string }[] } };
  };
  status: number;
}

/** The sends SES accepted for campaign `campaignId` (tagged with it). */
export function acceptedForCampaign(sends: readonly RecordedSend[], campaignId: string): RecordedSend[] {
  return sends.filter(
    (s) =>
      s.status === 200 && s.body.EmailTags?.some((t) => t.Name === 'campaignId' && t.Value === campaignId),
  );
}

/** How many of `sends` each (lower-cased) To address got. */
export function mailsPerAddress(sends: readonly RecordedSend[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const send of sends) {
    for (const to of send.body.Destination?.ToAddresses ?? [])
      counts.set(to.toLowerCase(), (counts.get(to.toLowerCase()) ?? 0) + 1);
  }
  return counts;
}

export interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  headers?: { name: string; value: string }[];
}

/**
 * aws-ses-v2-local behind a proxy that records every SendEmail request (the emulator keeps no tags
 * or configuration sets) and can answer the next N sends with SES's real throttling error.
 */
export async function startRecordingSes({ maxSendRate = 14 }: { maxSendRate?: number } = {}) {
  // The emulator reads this on every GetAccount; each test file sets the account it needs.
  process.env.AWS_SES_ACCOUNT = JSON.stringify({
    DedicatedIpAutoWarmupEnabled: false,
    Details: {
      AdditionalContactEmailAddresses: [],
      ContactLanguage: 'EN',
      MailType: 'TRANSACTIONAL',
      ReviewDetails: { CaseId: 'it', Status: 'GRANTED' },
      UseCaseDescription: 'tests',
      WebsiteURL: 'http://localhost',
    },
    EnforcementStatus: 'HEALTHY',
    ProductionAccessEnabled: true,
    SendingEnabled: true,
    SendQuota: { Max24HourSend: 50000, MaxSendRate: maxSendRate, SentLast24Hours: 0 },
    SuppressionAttributes: { SuppressedReasons: [] },
  });
  const emulator = (await startSesServer({ host: '127.0.0.1', port: 0 })) as Server;
  const emulatorPort = (emulator.address() as AddressInfo).port;
  const sends: RecordedSend[] = [];
  let throttleNext = 0;

  const proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const isSend = req.method === 'POST' && req.url === '/v2/email/outbound-emails';
      if (isSend && throttleNext > 0) {
        throttleNext--;
        sends.push({ at: Date.now(), body: JSON.parse(raw.toString()), status: 429 });
        res.writeHead(429, {
          'content-type': 'application/json',
          'x-amzn-errortype': 'TooManyRequestsException',
        });
        res.end(JSON.stringify({ message: 'Maximum sending rate exceeded.' }));
        return;
      }
      const upstream = httpRequest(
        { host: '127.0.0.1', port: emulatorPort, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (c: Buffer) => parts.push(c));
          answer.on('end', () => {
            if (isSend)
              sends.push({
                at: Date.now(),
                body: JSON.parse(raw.toString()),
                status: answer.statusCode ?? 0,
              });
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(Buffer.concat(parts));
          });
        },
      );
      upstream.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      upstream.end(raw);
    });
  });
  await new Promise<void>((ready) => proxy.listen(0, '127.0.0.1', () => ready()));
  const endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

  return {
    endpoint,
    sends,
    throttle(count: number) {
      throttleNext = count;
    },
    /** What the inbox holds (the emulator's /store). */
    async inbox(): Promise<StoredEmail[]> {
      const response = await fetch(`http://127.0.0.1:${emulatorPort}/store`);
      return ((await response.json()) as { emails: StoredEmail[] }).emails;
    },
    async stop() {
      for (const server of [proxy, emulator]) {
        server.closeAllConnections();
        await new Promise((done) => server.close(done));
      }
    },
  };
}
