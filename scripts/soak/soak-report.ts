// The soak's output: the terminal table, and the Markdown report with its SVG plots. Pure: the
// caller writes the files.
import type { FaultRecord } from './fault-context.js';
import type { FaultEvent } from './fault-schedule.js';
import { SOAK_TIMEOUTS } from './gate-provision.js';
import type { ProcSample } from './proc-sampler.js';
import type { SoakMetrics } from './soak-metrics.js';
import { type ChartSeries, type ChartSpan, type ChartTick, renderLineChart } from './svg-chart.js';

export interface Check {
  key: string;
  value: number | string | null;
  target: string;
  ok: boolean | null;
}

/** The issue's acceptance, as checks on the JSON object. */
export function acceptanceChecks(json: Record<string, number | string | null>, deadlineMs: number): Check[] {
  const n = (k: string) => (typeof json[k] === 'number' ? (json[k] as number) : null);
  const check = (key: string, target: string, test: (v: number) => boolean): Check => {
    const v = n(key);
    return { key, value: json[key] ?? null, target, ok: v === null ? null : test(v) };
  };
  const idle = n('soak_first_scan_after_idle_ms');
  return [
    check('soak_scans', '≥ 200000', (v) => v >= 200_000),
    check('soak_undefined_outcomes', '= 0', (v) => v === 0),
    check('soak_deadline_misses', '= 0', (v) => v === 0),
    check('soak_privacy_hits', '= 0', (v) => v === 0),
    check('soak_rss_growth_mb', '≤ 10', (v) => v <= 10),
    check('soak_fd_growth', '= 0', (v) => v === 0),
    {
      key: 'soak_first_scan_after_idle_ms',
      value: idle,
      target: `verdict ≤ ${deadlineMs} ms`,
      ok: idle === null ? null : idle <= deadlineMs && json.soak_first_scan_after_idle_outcome !== 'network-error',
    },
    check('soak_outcome_mismatches', '= 0', (v) => v === 0),
    check('soak_tampered_outcomes', '= 0', (v) => v === 0),
    check('soak_outcomes_without_decision', '= 0', (v) => v === 0),
    check('soak_extra_outcomes', '= 0', (v) => v === 0),
  ];
}

const mark = (ok: boolean | null) => (ok === null ? 'n/a' : ok ? 'ok' : 'FAIL');

/** The table printed at the end of a run. */
export function summaryTable(json: Record<string, number | string | null>, checks: readonly Check[]): string {
  const rows: string[][] = [['figure', 'value', 'target', '']];
  const checked = new Map(checks.map((c) => [c.key, c]));
  for (const [key, value] of Object.entries(json)) {
    const c = checked.get(key);
    rows.push([key, value === null ? '–' : String(value), c?.target ?? '', c ? mark(c.ok) : '']);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const FAMILY_COLOR: Record<string, string> = {
  portal: '#e67e22',
  network: '#2980b9',
  device: '#27ae60',
  process: '#c0392b',
};

function faultMarks(faults: readonly FaultRecord[], t0: number): { spans: ChartSpan[]; ticks: ChartTick[] } {
  const spans: ChartSpan[] = [];
  const ticks: ChartTick[] = [];
  for (const f of faults) {
    const color = FAMILY_COLOR[f.event.family];
    if (f.event.gate === null) {
      spans.push({ fromS: (f.startedAt - t0) / 1000, toS: (f.endedAt - t0) / 1000, label: f.event.kind, color });
    } else ticks.push({ atS: (f.startedAt - t0) / 1000, color });
  }
  return { spans, ticks };
}

/** max / median / min over the fleet of one figure, per sampling round, and gate 0's own line. */
function fleetSeries(
  gates: ReadonlyArray<{ index: number; samples: readonly ProcSample[] }>,
  t0: number,
  t1: number,
  value: (s: ProcSample) => number,
  probeName: string,
): ChartSeries[] {
  const rounds = new Map<number, number[]>();
  const probe: Array<[number, number]> = [];
  for (const g of gates) {
    for (const s of g.samples) {
      if (s.at < t0 || s.at > t1 + 1_000) continue;
      const round = Math.round((s.at - t0) / 5_000) * 5;
      const xs = rounds.get(round);
      if (xs) xs.push(value(s));
      else rounds.set(round, [value(s)]);
      if (g.index === 0) probe.push([(s.at - t0) / 1000, value(s)]);
    }
  }
  const sorted = [...rounds.entries()].sort((a, b) => a[0] - b[0]);
  const pick = (xs: number[], q: number) =>
    [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
  return [
    { name: 'max', color: '#c0392b', points: sorted.map(([t, xs]) => [t, pick(xs, 0.999)]) },
    { name: 'median', color: '#2c3e50', points: sorted.map(([t, xs]) => [t, pick(xs, 0.5)]) },
    { name: 'min', color: '#7f8c8d', points: sorted.map(([t, xs]) => [t, pick(xs, 0)]), dashed: true },
    { name: probeName, color: '#8e44ad', points: probe },
  ];
}

export interface ReportCharts {
  'fleet.svg': string;
  'rss.svg': string;
  'fds.svg': string;
  'latency.svg': string;
  'throughput.svg': string;
}

export function reportCharts(o: {
  t0: number;
  t1: number;
  metrics: SoakMetrics;
  faults: readonly FaultRecord[];
  gates: ReadonlyArray<{ index: number; samples: readonly ProcSample[] }>;
  throttle: ReadonlyArray<{ at: number; active: number; latencyMs: number }>;
}): ReportCharts {
  const xMaxS = (o.t1 - o.t0) / 1000;
  const marks = faultMarks(o.faults, o.t0);
  const rss = fleetSeries(o.gates, o.t0, o.t1, (s) => s.rssKb / 1024, 'gate 0 (never killed)');
  const fds = fleetSeries(o.gates, o.t0, o.t1, (s) => s.fds, 'gate 0');
  const minute = o.metrics.perMinute;
  const at = (i: number) => minute[i].startMs / 1000 + 30;
  const throttle = o.throttle.filter((p) => p.at >= o.t0 && p.at <= o.t1);
  return {
    'fleet.svg': renderLineChart({
      title: 'Gates given people, and the daemons’ mean wait for a CPU per timeslice',
      yLabel: 'gates / ms',
      xMaxS,
      ...marks,
      series: [
        { name: 'scanning gates', color: '#16a085', points: throttle.map((p) => [(p.at - o.t0) / 1000, p.active]) },
        { name: 'CPU wait, ms', color: '#c0392b', points: throttle.map((p) => [(p.at - o.t0) / 1000, p.latencyMs]) },
      ],
    }),
    'rss.svg': renderLineChart({
      title: 'Daemon RSS (MB) across the fleet; shaded: portal/network faults; ticks: device/process faults',
      yLabel: 'RSS, MB',
      xMaxS,
      ...marks,
      series: rss,
    }),
    'fds.svg': renderLineChart({
      title: 'Daemon file descriptors across the fleet',
      yLabel: 'open fds',
      xMaxS,
      ...marks,
      series: fds,
    }),
    'latency.svg': renderLineChart({
      title: 'Verdict latency per minute (verification start → outcome shown)',
      yLabel: 'ms',
      xMaxS,
      ...marks,
      series: [
        { name: 'p99', color: '#c0392b', points: minute.map((b, i) => [at(i), b.p99]) },
        { name: 'p50', color: '#2c3e50', points: minute.map((b, i) => [at(i), b.p50]) },
      ],
    }),
    'throughput.svg': renderLineChart({
      title: 'Scans per second, per minute',
      yLabel: 'scans/s',
      xMaxS,
      ...marks,
      series: [{ name: 'scans/s', color: '#16a085', points: minute.map((b, i) => [at(i), b.count / 60]) }],
    }),
  };
}

/**
 * A Markdown table with every column padded to its widest cell, as Biome's formatter writes
 * tables (so a report committed to the repository passes `biome check`).
 */
export function markdownTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${widths.map((w, i) => (cells[i] ?? '').padEnd(w)).join(' | ')} |`;
  return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)];
}

const fdChangeText = (change: Record<string, number>) =>
  Object.entries(change)
    .map(([kind, d]) => `${kind} ${d > 0 ? '+' : ''}${d}`)
    .join(', ') || '–';

const fmtMs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export interface ReportInput {
  date: string;
  command: string;
  environment: { network: string; cpus: number; node: string; kernel: string; restart: string };
  json: Record<string, number | string | null>;
  checks: readonly Check[];
  metrics: SoakMetrics;
  t0: number;
  faults: readonly FaultRecord[];
  schedule: readonly FaultEvent[];
  privacy: { files: number; bytes: number; logLines: number; hits: ReadonlyArray<{ where: string; what: string }> };
  notes: readonly string[];
}

/** The share of the CPUs in use from which a run counts as bound by the CPU, not by its gates. */
const CPU_BOUND_SHARE = 0.85;

export function markdownReport(r: ReportInput): string {
  const m = r.metrics;
  const a = m.accounting;
  const cpuMsPerScan = m.cpuPerScan.daemons + m.cpuPerScan.portal + m.cpuPerScan.soak + m.cpuPerScan.socat;
  const cpusUsed = (m.scansPerS * cpuMsPerScan) / 1000;
  /** Above this share of the CPUs the throttle holds the fleet back: the box is what limits the run. */
  const cpuBound = cpusUsed >= CPU_BOUND_SHARE * r.environment.cpus;
  const out: string[] = [];
  out.push(
    '# passgate soak and chaos run',
    '',
    `Run ${r.date}: \`${r.command}\`. Machine: ${r.environment.cpus} CPUs, Node ${r.environment.node}, kernel ${r.environment.kernel}, mean load average ${r.json.soak_load_avg} during the scanning phase. Network: ${r.environment.network}. Supervisor: ${r.environment.restart}.`,
    '',
    '## Acceptance',
    '',
    ...markdownTable(
      ['figure', 'value', 'target', ''],
      r.checks.map((c) => [c.key, String(c.value ?? '–'), c.target, mark(c.ok)]),
    ),
    '',
    '## Throughput and where the time goes',
    '',
    `${a.scans} scans in ${fmtMs(m.scanSeconds * 1000)} by up to ${r.json.soak_gates} gates: ${m.scansPerS.toFixed(1)} scans/s, ${m.perGateScansPerS.toFixed(2)} per gate on average.`,
    '',
    `One gate cannot go faster than 1000 / (gate.showMs + verification) scans a second: gate.showMs is at least 200 ms (config`,
    `refuses less) and a scan queued meanwhile is verified only once the verdict has been shown. With a verification of`,
    `${m.verdictMs.p50.toFixed(1)} ms (p50) that is ${(1000 / (200 + m.verdictMs.p50)).toFixed(2)} scans/s per gate; here a gate made ${m.perGateScansPerS.toFixed(2)} on average (each step of its cycle waits`,
    `a little for a CPU, and the faults take their share). CPU per scan, from the whole fleet being up to the end of scanning:`,
    '',
    ...markdownTable(
      ['process', 'CPU ms per scan'],
      [
        [
          `daemons (\`passgate run\`, ${r.json.soak_gates} of them, idle work included)`,
          m.cpuPerScan.daemons.toFixed(2),
        ],
        ['portal (mock, one process)', m.cpuPerScan.portal.toFixed(2)],
        ['soak (simulated devices, log reading, accounting)', m.cpuPerScan.soak.toFixed(2)],
        ['socat (pty pairs)', m.cpuPerScan.socat.toFixed(2)],
        ['total', cpuMsPerScan.toFixed(2)],
      ],
    ),
    '',
    `At ${cpuMsPerScan.toFixed(1)} ms a scan, ${r.environment.cpus} CPUs to itself would carry ~${Math.round((r.environment.cpus * 1000) / cpuMsPerScan)} scans/s; at ${m.scansPerS.toFixed(0)} scans/s the run used`,
    `${cpusUsed.toFixed(2)} of its ${r.environment.cpus} CPUs (${Math.round((100 * cpusUsed) / r.environment.cpus)} %), so ${cpuBound ? 'the CPU was the bound' : 'the gates, not the CPU, were the bound: a larger fleet (`--rate`, `--gates`) would make more'}.`,
    `Mean load average during the scanning phase: ${r.json.soak_load_avg} (the fleet's own processes count). An idle daemon's CPU (the card`,
    `reader polled every ${SOAK_TIMEOUTS.idCardPollMs} ms) is part of the figure above. The number of gates given people follows the daemons'`,
    `scheduling latency (fleet-throttle.ts): a daemon waiting long for a CPU fires its deadline timer late, and the soak would`,
    `measure the box instead of the gate.`,
    '',
    '![scanning gates](fleet.svg)',
    '',
    '![scans per second](throughput.svg)',
    '',
    '## Outcomes, scan for scan',
    '',
    ...markdownTable(
      ['outcome', 'scans'],
      [
        ...Object.entries(a.outcomes).map(([k, v]) => [k, String(v)]),
        ['interrupted (daemon killed by the soak)', String(a.interrupted)],
        ['no outcome within the deadline', String(a.undefinedOutcomes)],
      ],
    ),
    '',
    `Every outcome the portal can give was checked against the keyword behind the scan (mismatches: ${a.mismatches}) and against`,
    `the portal's own decision for that scan (disagreements: ${a.disagreements}; outcomes without a decision: ${a.withoutDecision}; from an`,
    `answer sealed with a wrong MAC: ${a.tamperedOutcomes}). Network errors: ${a.networkErrors.neverReceived} the portal never received,`,
    `${a.networkErrors.tamperedAnswer} whose answer carried a wrong MAC, ${a.networkErrors.answerLostOrLate} whose answer was lost or came after the deadline.`,
    `Decisions no scan accounts for (garbage frames, answers to killed daemons): ${a.foreignDecisions}. Unexpected outcomes`,
    `(a read error without a device fault, not-bound, a dropped scan, a line from the other input): ${a.unexpected}.`,
    `Garbage frames shown as a pass: ${m.garbagePasses}. Outcome lines no scan waited for, outside the garbage faults (a`,
    `second outcome for one scan): ${m.extraOutcomes}. Deadline misses: ${a.deadlineMisses}.`,
    '',
    '## Verdict latency',
    '',
    `Verification start → outcome shown: p50 ${m.verdictMs.p50.toFixed(1)} ms, p99 ${m.verdictMs.p99.toFixed(0)} ms, max ${m.verdictMs.max.toFixed(0)} ms`,
    `(all scans, faults included). Soak's write → outcome line: p50 ${m.endToEndMs.p50.toFixed(0)} ms, p99 ${m.endToEndMs.p99.toFixed(0)} ms (includes the wait`,
    `in the queue while the previous verdict shows). On the 4G link (${m.fourG.scans} scans): p50 ${m.fourG.p50.toFixed(0)} ms, p99 ${m.fourG.p99.toFixed(0)} ms.`,
    m.idle
      ? `NAT idle test: behind a NAT that forgets a connection idle for ${m.idle.natIdleMs / 1000} s, after ${m.idle.gapMs / 1000} s idle the probe gate's first scan ended in ${m.idle.outcome ?? 'nothing'}${m.idle.cause ? ` (${m.idle.cause})` : ''} after ${m.idle.firstScanMs ?? '?'} ms.`
      : 'NAT idle test: not run (no namespaces).',
    '',
    '![verdict latency](latency.svg)',
    '',
    '## Memory and file descriptors',
    '',
    `Per daemon that ran from the baseline (the minute after the warm-up) to the end without a restart (${m.resources.filter((x) => x.steady).length} of ${m.resources.length}):`,
    `RSS growth at most ${m.rssGrowthMb.toFixed(1)} MB, fd growth at most ${m.fdGrowth}. Each daemon verified ~${Math.round(a.scans / Math.max(1, m.resources.length))} scans in the run.`,
    '',
    ...markdownTable(
      ['gate', 'steady', 'RSS baseline → end (MB)', 'fds baseline → end', 'fd kinds changed', 'scans'],
      [...m.resources]
        .sort((x, y) => Number(y.steady) - Number(x.steady) || y.fdGrowth - x.fdGrowth || y.rssGrowthMb - x.rssGrowthMb)
        .slice(0, 10)
        .map((x) => [
          String(x.gate),
          x.steady ? 'yes' : 'restarted',
          `${x.rssBaselineMb.toFixed(1)} → ${x.rssFinalMb.toFixed(1)}`,
          `${x.fdBaseline} → ${x.fdFinal}`,
          fdChangeText(x.fdChange),
          String(x.scans),
        ]),
    ),
    '',
    '![RSS](rss.svg)',
    '',
    '![file descriptors](fds.svg)',
    '',
    '## Faults',
    '',
    `${r.faults.length} faults (${m.faultProceduresFailed} procedures failed), daemon restarts ${m.restarts}, crashes ${m.crashes}, outputs found on after a restart ${m.outputsLeftOn}.`,
    '',
    ...markdownTable(
      ['at', 'fault', 'gate', 'took', 'notes'],
      r.faults.map((f) => [
        fmtMs(f.startedAt - r.t0),
        f.event.kind,
        String(f.event.gate ?? ''),
        fmtMs(f.endedAt - f.startedAt),
        `${f.ok ? '' : 'FAILED: '}${f.notes.join('; ').replace(/\|/g, '/')}`,
      ]),
    ),
    '',
    '## Privacy',
    '',
    `${r.privacy.files} files (${(r.privacy.bytes / 1e6).toFixed(1)} MB: data directories with the SQLite database, -wal and -shm, device keys, GPIO trees, daemon logs with ${r.privacy.logLines} lines, CLI output) searched for every pass code, name and ID number used and their masked forms: ${r.privacy.hits.length} hits.`,
    ...r.privacy.hits.slice(0, 20).map((h) => `- ${h.what} in ${h.where}`),
    '',
  );
  if (a.problems.length) {
    out.push(
      '## First problems',
      '',
      ...a.problems.slice(0, 30).map((p) => `- scan ${p.id} (gate ${p.gate}): ${p.problem}`),
      '',
    );
  }
  if (r.notes.length) out.push('## Notes', '', ...r.notes.map((n) => `- ${n}`), '');
  return out.join('\n');
}
