import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BUDGET_MS,
  gateIntervalMs,
  gatesForRate,
  parseDurationMs,
  parseSoakArgs,
  SoakUsageError,
  scanningMs,
  TEARDOWN_RESERVE_MS,
} from '../../../scripts/soak/soak-options.js';

describe('soak options', () => {
  it('defaults: a fleet sized for the default rate, network on', () => {
    const o = parseSoakArgs([]);
    expect(o.durationMs).toBeNull();
    expect(o.budgetMs).toBe(DEFAULT_BUDGET_MS);
    expect(scanningMs(o, 100_000)).toBe(DEFAULT_BUDGET_MS - 100_000 - TEARDOWN_RESERVE_MS);
    expect(scanningMs(o, 590_000)).toBe(60_000); // a slow setup still leaves a minute of scanning
    expect(scanningMs({ durationMs: 90_000, budgetMs: 1 }, 500_000)).toBe(90_000);
    expect(o.gates).toBe(gatesForRate(o.rate));
    expect(o).toMatchObject({ json: false, reportDir: null, network: true, keep: false, seed: 13 });
  });

  it('reads every option', () => {
    const o = parseSoakArgs([
      '--duration',
      '8m',
      '--rate',
      '50',
      '--seed',
      '7',
      '--json',
      '--report',
      'out',
      '--no-network',
      '--nat-idle',
      '30s',
      '--idle-gap',
      '50',
      '--keep',
    ]);
    expect(o).toMatchObject({
      durationMs: 480_000,
      rate: 50,
      gates: 14, // ceil(50 / 3.7)
      seed: 7,
      json: true,
      reportDir: 'out',
      network: false,
      natIdleMs: 30_000,
      idleGapMs: 50_000,
      keep: true,
    });
    expect(parseSoakArgs(['--gates', '3', '--rate', '100'])).toMatchObject({ gates: 3, paced: true });
  });

  it('refuses what it does not understand', () => {
    for (const argv of [
      ['--bogus'],
      ['--duration'],
      ['--duration', 'soon'],
      ['--rate', '-1'],
      ['--gates', '999'],
      ['--duration', '30s'],
    ])
      expect(() => parseSoakArgs(argv)).toThrow(SoakUsageError);
  });

  it('durations, fleet size and pacing', () => {
    expect(parseDurationMs('1500ms')).toBe(1_500);
    expect(parseDurationMs('90')).toBe(90_000);
    expect(parseDurationMs('1.5m')).toBe(90_000);
    expect(gatesForRate(1)).toBe(1);
    expect(gatesForRate(370)).toBe(100);
    expect(gatesForRate(10_000)).toBe(128);
    expect(gateIntervalMs(parseSoakArgs([]))).toBe(0);
    expect(gateIntervalMs(parseSoakArgs(['--gates', '3']))).toBe(0);
    expect(gateIntervalMs(parseSoakArgs(['--gates', '10', '--rate', '10']))).toBe(1_000);
  });
});
