import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

/** One SendEmail as the fake SES saw it. Times are epoch milliseconds with sub-millisecond precision. */
export interface SendRecord {
  /** When the request arrived: the moment SES decides whether it is within the rate. */
  arrivedAt: number;
  /** When the answer went out (after the simulated latency). */
  answeredAt: number;
  status: number;
  /** Whether SES took the mail, whatever it answered (a 5xx can follow an accepted mail). */
  mailed: boolean;
  stream: string;
  /** The `messageId` tag (transactional) or `campaignId` tag (bulk). */
  messageId?: string;
  campaignId?: string;
  to: string[];
}

export interface FakeSesOptions {
  /** MaxSendRate enforced over any trailing second; `Infinity` turns the limit off. */
  maxSendRate: number;
  max24HourSend?: number;
  /** Uniform answer latency in ms, [min, max]. */
  latencyMs?: [number, number];
  /** Extra faults, drawn per send from `random` (only used by the fault tests). */
  faults?: {
    /** Share of sends answered 429 although within the rate. */
    throttle?: number;
    /** Share of sends answered 5xx; half of them after SES did take the mail. */
    serverError?: number;
  };
  random?: () => number;
}

export const SES_ACCOUNT_PATH = '/v2/email/account';
export const SES_SEND_PATH = '/v2/email/outbound-emails';

/** Wall-clock epoch ms with sub-ms precision, comparable across processes on one machine. */
export const preciseNow = () => performance.timeOrigin + performance.now();

/**
 * A strict stand-in for SESv2: `SendEmail` and `GetAccount` in the REST-JSON shapes the SDK uses.
 * A send is refused with SES's own 429 (`TooManyRequestsException`, "Maximum sending rate
 * exceeded.") when accepting it would put more than MaxSendRate accepted mails in the trailing
 * second ending now — any second, not calendar seconds. Every answer comes after a random latency.
 */
export class FakeSes {
  readonly sends: SendRecord[] = [];
  private readonly accepted: number[] = [];
  private windowStart = 0;
  private server: Server | undefined;
  private readonly random: () => number;

  constructor(private readonly options: FakeSesOptions) {
    this.random = options.random ?? Math.random;
  }

  async start(port = 0): Promise<string> {
    const server = createServer((req, res) => this.handle(req, res));
    server.keepAliveTimeout = 60_000;
    this.server = server;
    await new Promise<void>((ready) => server.listen(port, '127.0.0.1', () => ready()));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Counts so far, cheap enough to poll while a run is going. */
  summary(): { sends: number; accepted: number; firstAcceptedAt?: number; lastAcceptedAt?: number } {
    return {
      sends: this.sends.length,
      accepted: this.accepted.length,
      ...(this.accepted.length > 0
        ? { firstAcceptedAt: this.accepted[0], lastAcceptedAt: this.accepted.at(-1) }
        : {}),
    };
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const arrivedAt = preciseNow();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method === 'GET' && req.url === SES_ACCOUNT_PATH) {
        this.answer(res, 200, this.account());
        return;
      }
      if (req.method === 'POST' && req.url === SES_SEND_PATH) {
        this.send(arrivedAt, Buffer.concat(chunks).toString('utf8'), res);
        return;
      }
      this.answer(res, 404, { message: `no route ${req.method} ${req.url}` }, 'NotFoundException');
    });
  }

  private send(arrivedAt: number, raw: string, res: ServerResponse): void {
    const body = JSON.parse(raw) as {
      Destination?: { ToAddresses?: string[] };
      EmailTags?: { Name: string; Value: string }[];
    };
    const tag = (name: string) => body.EmailTags?.find((t) => t.Name === name)?.Value;
    const record: SendRecord = {
      arrivedAt,
      answeredAt: 0,
      status: 200,
      mailed: false,
      stream: tag('stream') ?? 'unknown',
      to: body.Destination?.ToAddresses ?? [],
    };
    const messageId = tag('messageId');
    const campaignId = tag('campaignId');
    if (messageId) record.messageId = messageId;
    if (campaignId) record.campaignId = campaignId;

    const faults = this.options.faults ?? {};
    const draw = this.random();
    let status = 200;
    if (!this.withinRate(arrivedAt)) status = 429;
    else if (draw < (faults.throttle ?? 0)) status = 429;
    else if (draw < (faults.throttle ?? 0) + (faults.serverError ?? 0)) {
      status = this.random() < 0.5 ? 500 : 503;
      // A 500 here stands for "SES took the mail, then the answer was lost": the unsafe case.
      record.mailed = status === 500;
    } else {
      record.mailed = true;
    }
    if (record.mailed) this.accepted.push(arrivedAt);
    record.status = status;
    this.sends.push(record);

    const [min, max] = this.options.latencyMs ?? [0, 0];
    const delay = min + this.random() * (max - min);
    const reply = () => {
      record.answeredAt = preciseNow();
      if (status === 200) this.answer(res, 200, { MessageId: `fake-${randomUUID()}` });
      else if (status === 429)
        this.answer(res, 429, { message: 'Maximum sending rate exceeded.' }, 'TooManyRequestsException');
      else this.answer(res, status, { message: 'Internal failure' }, 'InternalFailure');
    };
    if (delay <= 0) reply();
    else setTimeout(reply, delay);
  }

  /** True when one more accepted mail keeps every trailing second at or under MaxSendRate. */
  private withinRate(now: number): boolean {
    const limit = this.options.maxSendRate;
    if (!Number.isFinite(limit)) return true;
    while (this.windowStart < this.accepted.length && (this.accepted[this.windowStart] ?? 0) <= now - 1000) {
      this.windowStart++;
    }
    return this.accepted.length - this.windowStart < limit;
  }

  private account() {
    const rate = Number.isFinite(this.options.maxSendRate) ? this.options.maxSendRate : 1_000_000;
    return {
      DedicatedIpAutoWarmupEnabled: false,
      EnforcementStatus: 'HEALTHY',
      ProductionAccessEnabled: true,
      SendingEnabled: true,
      SendQuota: {
        Max24HourSend: this.options.max24HourSend ?? 10_000_000,
        MaxSendRate: rate,
        SentLast24Hours: 0,
      },
      SuppressionAttributes: { SuppressedReasons: [] },
    };
  }

  private answer(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
    res.writeHead(status, {
      'content-type': 'application/json',
      ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
    });
    res.end(JSON.stringify(body));
  }
}

/** The most accepted mails in any one-second window, over arrival times sorted ascending. */
export function maxInAnySecond(times: number[]): number {
  let best = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while ((times[start] ?? 0) <= (times[end] ?? 0) - 1000) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}
