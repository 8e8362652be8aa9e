import { describe, expect, it } from 'vitest';
import { buckets, medianBetween, percentile, percentileOfSorted, rounded } from '../../../scripts/soak/stats.js';

describe('stats', () => {
  it('percentile by nearest rank, without touching the input', () => {
    const xs = [5, 1, 4, 2, 3];
    expect(percentile(xs, 50)).toBe(3);
    expect(percentile(xs, 0)).toBe(1);
    expect(percentile(xs, 100)).toBe(5);
    expect(percentile(xs, 99)).toBe(5);
    expect(xs).toEqual([5, 1, 4, 2, 3]);
    expect(percentile([], 50)).toBeNaN();
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentileOfSorted(hundred, 99)).toBe(99);
    expect(percentileOfSorted(hundred, 50)).toBe(50);
  });

  it('buckets by minute, keeping empty minutes', () => {
    const b = buckets(
      [
        { atMs: 1_000, value: 10 },
        { atMs: 2_000, value: 30 },
        { atMs: 150_000, value: 7 },
      ],
      180_000,
    );
    expect(b).toHaveLength(3);
    expect(b[0]).toMatchObject({ startMs: 0, count: 2, p50: 10, p99: 30, max: 30 });
    expect(b[1].count).toBe(0);
    expect(b[1].p50).toBeNaN();
    expect(b[2]).toMatchObject({ startMs: 120_000, count: 1, p50: 7 });
  });

  it('median in a window and JSON-safe rounding', () => {
    const v = [0, 10, 20, 30].map((t) => ({ atMs: t, value: t }));
    expect(medianBetween(v, 10, 30)).toBe(10);
    expect(rounded(1.26, 1)).toBe(1.3);
    expect(rounded(Number.NaN)).toBeNull();
    expect(rounded(Number.POSITIVE_INFINITY)).toBeNull();
  });
});
