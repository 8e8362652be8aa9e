// A bench section measures one area and returns named figures. main.ts runs them in order.

export interface BenchRow {
  /** JSON key, e.g. `crypto_per_scan_ms`. */
  key: string;
  value: number;
  /** What a person reads in the table, e.g. "ms" or "ratio". */
  unit: string;
  /** Acceptance target as text, e.g. "<= 0.2"; empty when there is none. */
  target?: string;
}

export interface BenchSection {
  name: string;
  run(): Promise<BenchRow[]>;
}

/** Percentile of a sample by nearest rank; the sample need not be sorted. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function mean(samples: readonly number[]): number {
  return samples.reduce((sum, s) => sum + s, 0) / samples.length;
}

/** Wall time of each of `rounds` synchronous steps, in ms. */
export function timeEach(rounds: number, step: (round: number) => void): number[] {
  const samples: number[] = [];
  for (let i = 0; i < rounds; i += 1) {
    const start = performance.now();
    step(i);
    samples.push(performance.now() - start);
  }
  return samples;
}
