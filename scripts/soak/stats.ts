// Percentiles and per-minute buckets for the soak's figures. Pure.

/** The p-th percentile (0–100) by nearest rank; NaN for no values. Does not modify `values`. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return percentileOfSorted(sorted, p);
}

/** As percentile, for values already sorted ascending (no copy: for large series). */
export function percentileOfSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((Math.min(100, Math.max(0, p)) / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export interface TimedValue {
  /** Ms since the start of the scanning phase. */
  atMs: number;
  value: number;
}

export interface Bucket {
  /** Start of the bucket, ms since the start of the scanning phase. */
  startMs: number;
  count: number;
  p50: number;
  p99: number;
  max: number;
}

/** Values grouped into buckets of `widthMs` (default one minute), each with p50/p99/max; empty buckets are kept. */
export function buckets(values: readonly TimedValue[], totalMs: number, widthMs = 60_000): Bucket[] {
  const n = Math.max(1, Math.ceil(totalMs / widthMs));
  const groups: number[][] = Array.from({ length: n }, () => []);
  for (const v of values) {
    const i = Math.min(n - 1, Math.max(0, Math.floor(v.atMs / widthMs)));
    groups[i].push(v.value);
  }
  return groups.map((g, i) => {
    g.sort((a, b) => a - b);
    return {
      startMs: i * widthMs,
      count: g.length,
      p50: percentileOfSorted(g, 50),
      p99: percentileOfSorted(g, 99),
      max: g.length ? g[g.length - 1] : Number.NaN,
    };
  });
}

/** The median of the values whose time lies in [fromMs, toMs); NaN when none. */
export function medianBetween(values: readonly TimedValue[], fromMs: number, toMs: number): number {
  return percentile(
    values.filter((v) => v.atMs >= fromMs && v.atMs < toMs).map((v) => v.value),
    50,
  );
}

/** Rounds to `digits` decimals; NaN and infinities become null (JSON has no NaN). */
export function rounded(value: number, digits = 1): number | null {
  if (!Number.isFinite(value)) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
