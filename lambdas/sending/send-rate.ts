/** What SES says about the account (SESv2 GetAccount), in our words. */
export interface AccountQuota {
  productionAccess: boolean;
  sendingEnabled: boolean;
  enforcementStatus?: string;
  maxSendRate: number;
  max24HourSend: number;
  sentLast24Hours: number;
}

const SANDBOX_RATE = 1;
const QUOTA_REFRESH_MS = 60_000;

/**
 * The rate Mailroom paces to: the configured override, else this stack's share of SES's
 * MaxSendRate (1/s in the sandbox). The share exists because every stack in one account and region
 * draws on one MaxSendRate: two stacks pacing to all of it would together send twice as fast and be
 * throttled. An override is an absolute figure the integrator chose and is not shared further.
 */
export function rateInUse(quota: AccountQuota | undefined, override: number | undefined, share = 1): number {
  if (override !== undefined) return override;
  const account = !quota
    ? SANDBOX_RATE
    : quota.productionAccess
      ? quota.maxSendRate
      : Math.min(quota.maxSendRate, SANDBOX_RATE);
  const shared = (account > 0 ? account : SANDBOX_RATE) * share;
  // A stack pacing to 9.8/s has seconds that hold 10 of its mails, and one at 4.2/s seconds that
  // hold 5: together 15 in a second of an account allowing 14 (measured by the bench's two-stack
  // scenario). Whole mails per second keep the stacks' worst seconds within the account's.
  // Below 1/s (the 1/s sandbox split between stacks) rounding cannot help: see the README's limits.
  return share < 1 && shared >= 1 ? Math.floor(shared) : shared;
}

/**
 * GetAccount, asked at most once per `refreshMs`. A failed refresh keeps the last known answer (or
 * none, which paces at the sandbox rate): a hiccup at SES must not stop sending nor speed it up.
 */
export class CachedQuota {
  private value: AccountQuota | undefined;
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<AccountQuota | undefined> | undefined;

  constructor(
    private readonly fetch: () => Promise<AccountQuota>,
    private readonly now: () => number = Date.now,
    private readonly refreshMs = QUOTA_REFRESH_MS,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  /** When SES last answered (or failed to): sends counted since then are not in its figures yet. */
  get fetchedAtMs(): number {
    return this.fetchedAt;
  }

  async get(): Promise<AccountQuota | undefined> {
    if (this.now() - this.fetchedAt < this.refreshMs) return this.value;
    this.inFlight ??= this.refresh();
    return this.inFlight;
  }

  private async refresh(): Promise<AccountQuota | undefined> {
    try {
      this.value = await this.fetch();
    } catch (error) {
      this.onError(error);
    } finally {
      this.fetchedAt = this.now();
      this.inFlight = undefined;
    }
    return this.value;
  }
}

/** Share of the 24-hour quota bulk mail may use; the rest stays for transactional mail. */
const BULK_DAILY_CEILING = 0.98;

/**
 * About how fast bulk mail goes: what transactional mail leaves of the rate (the sender takes
 * exactly that from the shared schedule; the fan-out only times its continuations by it).
 */
export function bulkRate(total: number, transactionalNow: number): number {
  // Never zero: continuations are timed by it, and a trickle keeps the campaign's progress visible.
  return Math.max(total * 0.01, total - transactionalNow);
}

/** True when bulk mail should wait for the 24-hour window to allow more. */
export function dailyQuotaExhausted(quota: AccountQuota | undefined, sentSinceFetched: number): boolean {
  if (!quota || quota.max24HourSend <= 0) return false;
  return quota.sentLast24Hours + sentSinceFetched >= quota.max24HourSend * BULK_DAILY_CEILING;
}

/** How fast this one sender has been sending lately: what it reports to the rate ledger. */
export class RecentSends {
  private readonly times: number[] = [];

  constructor(private readonly windowMs = 5_000) {}

  record(now: number): void {
    this.times.push(now);
  }

  perSecond(now: number): number {
    while (this.times.length > 0 && (this.times[0] ?? 0) <= now - this.windowMs) this.times.shift();
    return this.times.length / (this.windowMs / 1000);
  }

  /** Sends since `since` (epoch ms), within the window kept. */
  since(since: number): number {
    return this.times.filter((t) => t >= since).length;
  }
}
