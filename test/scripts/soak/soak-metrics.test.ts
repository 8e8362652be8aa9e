import { describe, expect, it } from 'vitest';
import type { ScanRecord } from '../../../scripts/soak/outcome-accounting.js';
import type { ProcSample } from '../../../scripts/soak/proc-sampler.js';
import { gateResources, soakJson, soakMetrics } from '../../../scripts/soak/soak-metrics.js';
import {
  acceptanceChecks,
  markdownReport,
  markdownTable,
  reportCharts,
  summaryTable,
} from '../../../scripts/soak/soak-report.js';

const sample = (at: number, rssMb: number, fds: number, pid = 10): ProcSample => ({
  at,
  pid,
  rssKb: rssMb * 1024,
  cpuMs: at / 100,
  fds,
  fdKinds: {},
});
const windows = { baseline: [100, 200] as [number, number], final: [900, 1_000] as [number, number] };

describe('per-daemon memory and descriptors', () => {
  it('growth from the baseline window to the final one, with the most frequent fd count of each', () => {
    const r = gateResources(
      {
        index: 3,
        samples: [
          sample(100, 70, 26),
          sample(150, 72, 28),
          sample(200, 71, 26),
          sample(900, 73, 27),
          sample(950, 74, 26),
          sample(1_000, 75, 26),
        ],
        exits: [],
        crashLines: 0,
        unsolicited: [],
      },
      windows,
      500,
    );
    expect(r).toMatchObject({
      gate: 3,
      steady: true,
      rssBaselineMb: 71,
      fdBaseline: 26,
      fdFinal: 26,
      fdGrowth: 0,
      scans: 500,
    });
    expect(r.rssGrowthMb).toBeCloseTo(3); // medians by nearest rank: 71 → 74
  });

  it('leaves out the samples taken while the gate had a fault of its own (a device unplugged)', () => {
    const g = {
      index: 2,
      samples: [sample(100, 70, 24), sample(150, 70, 26), sample(160, 70, 26), sample(950, 70, 26)],
      exits: [],
      crashLines: 0,
      unsolicited: [],
    };
    expect(gateResources(g, windows, 1).fdBaseline).toBe(26);
    expect(gateResources(g, windows, 1, [[90, 120]]).fdGrowth).toBe(0);
    const unplugged = {
      ...g,
      samples: [sample(100, 70, 24), sample(110, 70, 24), sample(150, 70, 26), sample(950, 70, 26)],
    };
    expect(gateResources(unplugged, windows, 1).fdGrowth).toBe(2);
    expect(gateResources(unplugged, windows, 1, [[90, 120]]).fdGrowth).toBe(0);
  });

  it('allows for the one pooled portal connection coming or going; more sockets, or other fds, are growth', () => {
    const withSockets = (at: number, sockets: number, files = 20): ProcSample => ({
      ...sample(at, 70, files + sockets),
      fdKinds: { socket: sockets, file: files },
    });
    const gate = (base: ProcSample[], fin: ProcSample[]) =>
      gateResources({ index: 4, samples: [...base, ...fin], exits: [], crashLines: 0, unsolicited: [] }, windows, 1);
    const idleThenBusy = gate([withSockets(100, 3), withSockets(150, 3)], [withSockets(900, 4), withSockets(950, 4)]);
    expect(idleThenBusy).toMatchObject({ fdBaseline: 23, fdFinal: 24, fdChange: { socket: 1 }, fdGrowth: 0 });
    const busyThenIdle = gate([withSockets(100, 4), withSockets(150, 4)], [withSockets(900, 3), withSockets(950, 3)]);
    expect(busyThenIdle.fdGrowth).toBe(0);
    const twoMore = gate([withSockets(100, 3), withSockets(150, 3)], [withSockets(900, 5), withSockets(950, 5)]);
    expect(twoMore.fdGrowth).toBe(1);
    const fileLeak = gate(
      [withSockets(100, 3), withSockets(150, 3)],
      [withSockets(900, 4, 21), withSockets(950, 4, 21)],
    );
    expect(fileLeak.fdGrowth).toBe(1);
  });

  it('a daemon restarted in between does not count; the soak’s own stop at the end does not restart it', () => {
    const g = {
      index: 1,
      samples: [sample(150, 70, 26), sample(950, 70, 26, 11)],
      exits: [],
      crashLines: 0,
      unsolicited: [],
    };
    expect(gateResources(g, windows, 1).steady).toBe(false);
    const stoppedAtEnd = {
      index: 1,
      samples: [sample(150, 70, 26), sample(950, 70, 26)],
      exits: [{ at: 990, end: { code: 0, signal: null }, deliberate: false, stopped: true, restartAt: null }],
      crashLines: 0,
      unsolicited: [],
    } as const;
    expect(gateResources(stoppedAtEnd, windows, 1).steady).toBe(true);
  });
});

function scan(i: number, over: Partial<ScanRecord> = {}): ScanRecord {
  return {
    id: i,
    gate: i % 2,
    kind: 'code',
    keyword: 'green',
    key: `k${i}`,
    expected: 'pass',
    writtenAt: 1_000 + i * 100,
    endedAt: 1_000 + i * 100 + 50,
    ending: 'verdict',
    outcome: 'pass',
    cause: null,
    totalMs: 45,
    verdictMs: 4,
    daemonBudgetMs: 3_700,
    soakBudgetMs: 4_700,
    sourceMismatch: false,
    deviceFault: false,
    ...over,
  };
}

describe('run figures, JSON and report', () => {
  const scans = Array.from({ length: 600 }, (_, i) => scan(i, i >= 300 && i < 400 ? { verdictMs: 400 } : {}));
  const metrics = soakMetrics({
    t0: 1_000,
    t1: 61_000,
    warmupMs: 10_000,
    quietMs: 10_000,
    scans,
    decisions: scans.map((s) => ({
      gate: s.gate,
      key: s.key,
      outcome: s.outcome!,
      tampered: false,
      at: s.writtenAt + 1,
    })),
    faults: [],
    idleProbes: [{ gapMs: 45_000, natIdleMs: 20_000, firstScanMs: 180, outcome: 'pass', cause: null }],
    fourGWindows: [{ from: 1_000 + 300 * 100, to: 1_000 + 400 * 100 - 1 }],
    outputChecks: [{ relayOff: true, allOff: true }],
    gates: [0, 1].map((index) => ({
      index,
      samples: Array.from({ length: 13 }, (_, k) => sample(1_000 + k * 5_000, 70, 26)),
      exits: [],
      crashLines: 0,
      unsolicited: [{ at: 5_000, outcome: 'read-error' }],
    })),
    privacyHits: 0,
    load: [{ at: 2_000, load1: 3 }],
    upAt: 1_000,
    soakCpuMs: 600,
    socatCpuMs: 60,
    portalSamples: [sample(1_000, 50, 20, 99), sample(61_000, 50, 20, 99)],
  });

  it('counts, rates, 4G latency, idle probe and resources', () => {
    expect(metrics.accounting.scans).toBe(600);
    expect(metrics.scansPerS).toBeCloseTo(10);
    expect(metrics.fourG).toMatchObject({ scans: 100, p99: 400 });
    expect(metrics.verdictMs.p50).toBe(4);
    expect(metrics.rssGrowthMb).toBe(0);
    expect(metrics.fdGrowth).toBe(0);
    expect(metrics.garbagePasses).toBe(0);
    expect(metrics.cpuPerScan.soak).toBeCloseTo(1);
    expect(metrics.cpuPerScan.socat).toBeCloseTo(0.1);
    expect(metrics.cpuPerScan.portal).toBeCloseTo(1); // 600 ms over 600 scans (cpuMs = at / 100)
    expect(metrics.extraOutcomes).toBe(2); // no garbage fault on record: a line no scan waited for is one too many
  });

  it('the JSON object has the issue’s keys, the table and the report show them', () => {
    const json = soakJson(metrics, {
      gates: 2,
      durationS: 60,
      totalS: 75,
      setupS: 10,
      network: 'test',
      privacyHits: 0,
    });
    for (const key of [
      'soak_scans',
      'soak_undefined_outcomes',
      'soak_deadline_misses',
      'soak_privacy_hits',
      'soak_rss_growth_mb',
      'soak_fd_growth',
      'soak_first_scan_after_idle_ms',
      'soak_verdict_ms_p99_4g',
    ])
      expect(json).toHaveProperty(key);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
    const checks = acceptanceChecks(json, 3_000);
    expect(checks.find((c) => c.key === 'soak_scans')?.ok).toBe(false);
    expect(checks.find((c) => c.key === 'soak_first_scan_after_idle_ms')?.ok).toBe(true);
    expect(checks.find((c) => c.key === 'soak_undefined_outcomes')?.ok).toBe(true);
    const table = summaryTable(json, checks);
    expect(table.split('\n')[0]).toMatch(/^figure\s+value\s+target/);
    expect(table).toContain('soak_scans');
    const charts = reportCharts({ t0: 1_000, t1: 61_000, metrics, faults: [], gates: [], throttle: [] });
    expect(Object.keys(charts)).toEqual(['fleet.svg', 'rss.svg', 'fds.svg', 'latency.svg', 'throughput.svg']);
    const md = markdownReport({
      date: '2026-01-01',
      command: 'npm run soak',
      environment: { network: 'test', cpus: 2, node: 'v20', kernel: 'k', restart: 'Restart=always' },
      json,
      checks,
      metrics,
      t0: 1_000,
      faults: [],
      schedule: [],
      privacy: { files: 1, bytes: 10, logLines: 5, hits: [] },
      notes: [],
    });
    for (const svg of Object.keys(charts)) expect(md).toContain(`(${svg})`);
    expect(md).toMatch(/\| soak_scans +\| 600 +\| ≥ 200000 +\| FAIL \|/);
    // Says which bound held: the CPUs the run used, against the share where the throttle holds back.
    expect(md).toMatch(
      /used\s+\d+\.\d\d of its 2 CPUs \(\d+ %\), so the (CPU was the bound|gates, not the CPU, were the bound)/,
    );
  });
});

describe('Markdown tables', () => {
  it('pad every column to its widest cell, as Biome formats them', () => {
    expect(
      markdownTable(
        ['figure', 'value', ''],
        [
          ['soak_scans', '≥ 1', 'FAIL'],
          ['x', '', 'ok'],
        ],
      ),
    ).toEqual([
      '| figure     | value |      |',
      '| ---------- | ----- | ---- |',
      '| soak_scans | ≥ 1   | FAIL |',
      '| x          |       | ok   |',
    ]);
  });
});
