/**
 * A campaign's counters added once per batch instead of once per mail or event: the sender moves up
 * to ten recipients a batch and the events function records up to ten SES events, each counted
 * here; `flush` writes each campaign's sums in one update when the batch ends (to one of the
 * campaign's counter shards: campaign-parts.ts). Every mail used to rewrite the campaign item, its
 * content included, one to three times (bench (d) and (g); README Limits).
 *
 * The counters are a view, the recipient records the authority (DESIGN "Campaign integrity"): a
 * function that dies before `flush` leaves a campaign's counters short by what its batch counted.
 * The recount of a quiet campaign (campaigns/reconcile.ts) sets the delivery counters from the
 * records again; the event counters stay short by those events (README Limits). Completion is
 * never decided on counters.
 */
export class CounterBuffer<Counter extends string> {
  private readonly pending = new Map<string, Partial<Record<Counter, number>>>();

  constructor(
    private readonly write: (campaignId: string, sums: Partial<Record<Counter, number>>) => Promise<unknown>,
  ) {}

  /** Counts `delta` for `campaignId`, to be written by the next `flush`. */
  add(campaignId: string, delta: Partial<Record<Counter, number>>): void {
    const sums: Partial<Record<Counter, number>> = this.pending.get(campaignId) ?? {};
    for (const counter of Object.keys(delta) as Counter[]) {
      const amount = delta[counter];
      if (amount) sums[counter] = (sums[counter] ?? 0) + amount;
    }
    this.pending.set(campaignId, sums);
  }

  /**
   * Writes each campaign's sums (one write each; the SDK retries throttles itself, and a second try
   * here could add a sum twice when only the answer was lost) and starts over; sums that came to zero
   * are skipped. One campaign's failed write never costs another its counts: every write is tried,
   * then the failures are thrown together, naming their campaigns.
   */
  async flush(): Promise<void> {
    const all = [...this.pending.entries()].filter(([, sums]) =>
      Object.values<number | undefined>(sums).some((amount) => amount),
    );
    this.pending.clear();
    const results = await Promise.allSettled(all.map(([campaignId, sums]) => this.write(campaignId, sums)));
    const failed = all.flatMap(([campaignId], i) => (results[i]?.status === 'rejected' ? [campaignId] : []));
    if (failed.length > 0) {
      const causes = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
      throw new AggregateError(causes, `could not add the counts of campaigns ${failed.join(', ')}`);
    }
  }
}
