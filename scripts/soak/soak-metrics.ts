// The figures of a soak run: the accounting, latencies (overall, per minute, on the 4G link),
// memory and descriptors per daemon, restarts, the NAT idle test, and the JSON object. Pure.
import type { FaultRecord, IdleProbe } from './fault-context.js';
import type { GateExit } from './gate-rig.js';
import { type Accounting, accountScans, type PortalDecision, type ScanRecord } from './outcome-accounting.js';
import type { ProcSample } from './proc-sampler.js';
import { type Bucket, buckets, percentile, rounded } from './stats.js';

export interface MetricsInput {
  t0: number;
  t1: number;
  warmupMs: number;
  quietMs: number;
  scans: readonly ScanRecord[];
  decisions: readonly PortalDecision[];
  faults: readonly FaultRecord[];
  idleProbes: readonly IdleProbe[];
  fourGWindows: ReadonlyArray<{ from: number; to: number }>;
  outputChecks: ReadonlyArray<{ relayOff: boolean; allOff: boolean }>;
  gates: ReadonlyArray<{
    index: number;
    samples: readonly ProcSample[];
    exits: readonly GateExit[];
    crashLines: number;
    unsolicited: ReadonlyArray<{ at: number; outcome: string }>;
  }>;
  privacyHits: number;
  load: ReadonlyArray<{ at: number; load1: number }>;
  /** CPU from the fleet being up (upAt) to t1: the soak's and socat's, measured by the run. */
  upAt: number;
  soakCpuMs: number;
  socatCpuMs: number;
  portalSamples: readonly ProcSample[];
}

export interface GateResources {
  gate: number;
  /** The same daemon process from the baseline to the end (never restarted): its figures count. */
  steady: boolean;
  rssBaselineMb: number;
  rssFinalMb: number;
  rssGrowthMb: number;
  fdBaseline: number;
  fdFinal: number;
  fdGrowth: number;
  /** What the fds at the end are, beside the baseline's, by kind (only kinds whose count changed). */
  fdChange: Record<string, number>;
  scans: number;
}

export interface SoakMetrics {
  accounting: Accounting;
  scanSeconds: number;
  scansPerS: number;
  perGateScansPerS: number;
  verdictMs: { p50: number; p99: number; max: number };
  endToEndMs: { p50: number; p99: number };
  fourG: { scans: number; p50: number; p99: number };
  perMinute: Bucket[];
  resources: GateResources[];
  rssGrowthMb: number;
  fdGrowth: number;
  idle: IdleProbe | null;
  restarts: number;
  /** Exits the soak did not cause, and `crashed` lines. */
  crashes: number;
  outputsLeftOn: number;
  /** A garbage frame shown as a pass would be a finding. */
  garbagePasses: number;
  /** Outcome lines no scan waited for, outside the garbage faults (a second outcome for one scan). */
  extraOutcomes: number;
  faultsInjected: number;
  faultProceduresFailed: number;
  loadAvg: number;
  /** CPU per scan from the fleet being up to the end, by process (ms). */
  cpuPerScan: { daemons: number; portal: number; soak: number; socat: number };
}

const median = (xs: number[]) => percentile(xs, 50);
/** Math.max without spreading (hundreds of thousands of values overflow the call stack). */
const largest = (xs: readonly number[]) => xs.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
const MB_PER_KB = 1 / 1024;

/** Memory and descriptors of one gate's daemon between a baseline window and a final window. */
export function gateResources(
  g: MetricsInput['gates'][number],
  windows: { baseline: [number, number]; final: [number, number] },
  scans: number,
  /** This gate's own faults (an unplugged device has no pty open): samples within them are left out. */
  faultWindows: ReadonlyArray<readonly [number, number]> = [],
): GateResources {
  const calm = (s: ProcSample) => !faultWindows.some(([from, to]) => s.at >= from && s.at <= to);
  const inWindow = ([from, to]: [number, number]) => g.samples.filter((s) => s.at >= from && s.at <= to && calm(s));
  const base = inWindow(windows.baseline);
  const fin = inWindow(windows.final);
  const pids = new Set([...base, ...fin].map((s) => s.pid));
  const restarted = g.exits.some((e) => !e.stopped && e.at >= windows.baseline[0] && e.at <= windows.final[1]);
  const steady = base.length > 0 && fin.length > 0 && pids.size === 1 && !restarted;
  const rssBaselineMb = median(base.map((s) => s.rssKb)) * MB_PER_KB;
  const rssFinalMb = median(fin.map((s) => s.rssKb)) * MB_PER_KB;
  // The most frequent count in a window is the resting one: a GPIO write holds a file open for
  // a moment, now and then a sample sees it.
  const resting = (xs: ProcSample[]) => {
    const counts = new Map<number, number>();
    for (const x of xs) counts.set(x.fds, (counts.get(x.fds) ?? 0) + 1);
    const fds = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0];
    return xs.find((x) => x.fds === fds) ?? null;
  };
  const baseRest = resting(base);
  const finRest = resting(fin);
  const fdBaseline = baseRest?.fds ?? Number.NaN;
  const fdFinal = finRest?.fds ?? Number.NaN;
  const fdChange: Record<string, number> = {};
  for (const kind of new Set([...Object.keys(baseRest?.fdKinds ?? {}), ...Object.keys(finRest?.fdKinds ?? {})])) {
    const d = (finRest?.fdKinds[kind] ?? 0) - (baseRest?.fdKinds[kind] ?? 0);
    if (d !== 0) fdChange[kind] = d;
  }
  // The daemon's one pooled portal connection (portal-client/transport.ts) is open while the gate
  // scans and closed 60 s (portalKeepAliveMs) after its last request: a gate the throttle left
  // without people at the baseline and busy at the end (or the other way round) differs by that
  // one socket. It is no leak; any other change of the count is.
  const pooledConnection = Math.max(-1, Math.min(1, fdChange.socket ?? 0));
  return {
    gate: g.index,
    steady,
    rssBaselineMb,
    rssFinalMb,
    rssGrowthMb: rssFinalMb - rssBaselineMb,
    fdBaseline,
    fdFinal,
    fdGrowth: fdFinal - fdBaseline - pooledConnection,
    fdChange,
    scans,
  };
}

export function soakMetrics(m: MetricsInput): SoakMetrics {
  const accounting = accountScans(m.scans, m.decisions);
  const scanSeconds = Math.max(1e-3, (m.t1 - m.t0) / 1000);
  const verdicts = m.scans.filter((s) => s.ending === 'verdict' && s.verdictMs !== null);
  const verdictValues = verdicts.map((s) => s.verdictMs!);
  const endToEnd = m.scans.filter((s) => s.endedAt !== null).map((s) => s.endedAt! - s.writtenAt);
  const in4G = verdicts.filter((s) => m.fourGWindows.some((w) => s.writtenAt >= w.from && s.writtenAt <= w.to));
  const scansByGate = new Map<number, number>();
  for (const s of m.scans) scansByGate.set(s.gate, (scansByGate.get(s.gate) ?? 0) + 1);
  // Baseline: the minute after the warm-up; final: the quiet end. A short run gets shorter windows.
  const quarter = (m.t1 - m.t0) / 4;
  const baselineFrom = m.t0 + Math.min(m.warmupMs, quarter);
  const windows = {
    baseline: [baselineFrom, baselineFrom + Math.min(60_000, quarter)] as [number, number],
    final: [m.t1 - Math.min(m.quietMs, quarter), m.t1] as [number, number],
  };
  const faultWindowsOf = (gate: number) =>
    m.faults.filter((f) => f.event.gate === gate).map((f) => [f.startedAt, f.endedAt + 5_000] as const);
  const resources = m.gates.map((g) =>
    gateResources(g, windows, scansByGate.get(g.index) ?? 0, faultWindowsOf(g.index)),
  );
  const steady = resources.filter((r) => r.steady);
  const during = (at: number) => at >= m.t0 && at <= m.t1;
  const exits = m.gates.flatMap((g) => g.exits.filter((e) => !e.stopped && during(e.at)));
  // Garbage on a gate's line makes outcomes of its own while the fault lasts and settles.
  const garbage = m.faults.filter((f) => f.event.kind.endsWith('-garbage'));
  const inGarbage = (gate: number, at: number) =>
    garbage.some((f) => f.event.gate === gate && at >= f.startedAt && at <= f.endedAt + 2_000);
  const cpuBetween = (samples: readonly ProcSample[], from: number, to: number) => {
    const byPid = new Map<number, ProcSample[]>();
    for (const x of samples) if (x.at >= from && x.at <= to + 1_000) byPid.set(x.pid, [...(byPid.get(x.pid) ?? []), x]);
    let total = 0;
    for (const xs of byPid.values()) total += xs[xs.length - 1].cpuMs - xs[0].cpuMs;
    return total;
  };
  const scansUp = Math.max(1, m.scans.filter((s) => s.writtenAt >= m.upAt && s.writtenAt <= m.t1).length);
  const cpuPerScan = {
    daemons: m.gates.reduce((n, g) => n + cpuBetween(g.samples, m.upAt, m.t1), 0) / scansUp,
    portal: cpuBetween(m.portalSamples, m.upAt, m.t1) / scansUp,
    soak: m.soakCpuMs / scansUp,
    socat: m.socatCpuMs / scansUp,
  };
  const worstIdle =
    [...m.idleProbes].sort((a, b) => (b.firstScanMs ?? Infinity) - (a.firstScanMs ?? Infinity))[0] ?? null;
  const loadDuring = m.load.filter((l) => during(l.at)).map((l) => l.load1);
  return {
    accounting,
    scanSeconds,
    scansPerS: m.scans.length / scanSeconds,
    perGateScansPerS: m.scans.length / scanSeconds / Math.max(1, m.gates.length),
    verdictMs: { p50: percentile(verdictValues, 50), p99: percentile(verdictValues, 99), max: largest(verdictValues) },
    endToEndMs: { p50: percentile(endToEnd, 50), p99: percentile(endToEnd, 99) },
    fourG: {
      scans: in4G.length,
      p50: percentile(
        in4G.map((s) => s.verdictMs!),
        50,
      ),
      p99: percentile(
        in4G.map((s) => s.verdictMs!),
        99,
      ),
    },
    perMinute: buckets(
      verdicts.map((s) => ({ atMs: s.writtenAt - m.t0, value: s.verdictMs! })),
      m.t1 - m.t0,
    ),
    resources,
    rssGrowthMb: steady.length ? Math.max(...steady.map((r) => r.rssGrowthMb)) : Number.NaN,
    fdGrowth: steady.length ? Math.max(...steady.map((r) => r.fdGrowth)) : Number.NaN,
    idle: worstIdle,
    restarts: exits.length,
    crashes: exits.filter((e) => !e.deliberate).length + m.gates.reduce((n, g) => n + g.crashLines, 0),
    outputsLeftOn: m.outputChecks.filter((c) => !c.allOff || !c.relayOff).length,
    garbagePasses: m.gates.reduce(
      (n, g) => n + g.unsolicited.filter((u) => u.outcome === 'pass' || u.outcome === 'pass-with-notice').length,
      0,
    ),
    extraOutcomes: m.gates.reduce((n, g) => n + g.unsolicited.filter((u) => !inGarbage(g.index, u.at)).length, 0),
    faultsInjected: m.faults.length,
    faultProceduresFailed: m.faults.filter((f) => !f.ok).length,
    loadAvg: loadDuring.length ? loadDuring.reduce((a, b) => a + b, 0) / loadDuring.length : Number.NaN,
    cpuPerScan,
  };
}

/** The JSON object of `--json` (the last line of the output). */
export function soakJson(
  x: SoakMetrics,
  extra: { gates: number; durationS: number; totalS: number; setupS: number; network: string; privacyHits: number },
): Record<string, number | string | null> {
  const a = x.accounting;
  return {
    soak_scans: a.scans,
    soak_scans_per_s: rounded(x.scansPerS, 1),
    soak_gates: extra.gates,
    soak_one_gate_scans_per_s: rounded(x.perGateScansPerS, 2),
    soak_duration_s: rounded(extra.durationS, 0),
    soak_total_s: rounded(extra.totalS, 0),
    soak_setup_s: rounded(extra.setupS, 0),
    soak_undefined_outcomes: a.undefinedOutcomes,
    soak_deadline_misses: a.deadlineMisses,
    soak_privacy_hits: extra.privacyHits,
    soak_rss_growth_mb: rounded(x.rssGrowthMb, 1),
    soak_fd_growth: Number.isFinite(x.fdGrowth) ? x.fdGrowth : null,
    soak_first_scan_after_idle_ms: x.idle?.firstScanMs ?? null,
    soak_first_scan_after_idle_outcome: x.idle?.outcome ?? null,
    soak_verdict_ms_p99_4g: rounded(x.fourG.p99, 0),
    soak_verdict_ms_p50_4g: rounded(x.fourG.p50, 0),
    soak_verdict_ms_p50: rounded(x.verdictMs.p50, 1),
    soak_verdict_ms_p99: rounded(x.verdictMs.p99, 0),
    soak_outcome_mismatches: a.mismatches,
    soak_portal_disagreements: a.disagreements,
    soak_outcomes_without_decision: a.withoutDecision,
    soak_tampered_outcomes: a.tamperedOutcomes,
    soak_unexpected_outcomes: a.unexpected,
    soak_interrupted_scans: a.interrupted,
    soak_network_errors: a.outcomes['network-error'] ?? 0,
    soak_network_errors_never_received: a.networkErrors.neverReceived,
    soak_daemon_restarts: x.restarts,
    soak_daemon_crashes: x.crashes,
    soak_outputs_left_on: x.outputsLeftOn,
    soak_garbage_passes: x.garbagePasses,
    soak_extra_outcomes: x.extraOutcomes,
    soak_faults_injected: x.faultsInjected,
    soak_fault_procedures_failed: x.faultProceduresFailed,
    soak_daemon_cpu_ms_per_scan: rounded(x.cpuPerScan.daemons, 2),
    soak_portal_cpu_ms_per_scan: rounded(x.cpuPerScan.portal, 2),
    soak_harness_cpu_ms_per_scan: rounded(x.cpuPerScan.soak + x.cpuPerScan.socat, 2),
    soak_load_avg: rounded(x.loadAvg, 1),
    soak_network: extra.network,
  };
}
