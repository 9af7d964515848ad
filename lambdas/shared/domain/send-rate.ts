/** What SES says about the account (SESv2 GetAccount), in our words. */
export interface AccountQuota {
  productionAccess: boolean;
  sendingEnabled: boolean;
  enforcementStatus?: string;
  maxSendRate: number;
  max24HourSend: number;
  sentLast24Hours: number;
}

export const SANDBOX_RATE = 1;
export const QUOTA_REFRESH_MS = 60_000;

/** The rate Mailroom paces to: the configured override, else SES's MaxSendRate (1/s in the sandbox). */
export function rateInUse(quota: AccountQuota | undefined, override: number | undefined): number {
  if (override !== undefined) return override;
  if (!quota) return SANDBOX_RATE;
  const rate = quota.productionAccess ? quota.maxSendRate : Math.min(quota.maxSendRate, SANDBOX_RATE);
  return rate > 0 ? rate : SANDBOX_RATE;
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
