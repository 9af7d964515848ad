/** How the console writes numbers, rates and durations. Pure: no DOM. */

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function count(value: number | undefined): string {
  return value === undefined ? '–' : integer.format(value);
}

/** `part` of `whole` as a percentage with up to 2 decimals; `–` when there is no whole. */
export function percent(part: number, whole: number): string {
  if (!whole) return '–';
  return `${Number(((part / whole) * 100).toFixed(2))}%`;
}

/** A rate in [0, 1] as a percentage: 0.0008 → `0.08%`. */
export function rateAsPercent(rate: number): string {
  return `${Number((rate * 100).toPrecision(3))}%`;
}

/** Seconds as `1 h 02 min`, `3 min 05 s` or `42 s`. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '–';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  if (m > 0) return `${m} min ${String(rest).padStart(2, '0')} s`;
  return `${rest} s`;
}

export function perSecond(rate: number): string {
  return `${Number(rate.toFixed(1))}/s`;
}

/** An ISO timestamp in the reader's time zone, to the second. */
export function when(iso: string | undefined): string {
  if (!iso) return '–';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}
