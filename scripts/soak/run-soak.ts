// The soak from start to end: set up, start the fleet, scan and inject faults for the duration,
// stop everything, search for personal data. Returns the raw run; soak-metrics.ts makes figures.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_TIMEOUTS } from '../../firmware/core/timeouts.js';
import { mulberry32 } from '../lab/synth-image.js';
import { track } from './child-processes.js';
import type { FaultContext, FaultRecord, IdleProbe } from './fault-context.js';
import { runFaultSchedule } from './fault-runner.js';
import { type FaultEvent, faultSchedule } from './fault-schedule.js';
import { buildDist, newSecret, scanSources, setUpFleet, setUpNetwork } from './fleet-setup.js';
import { SOAK_SHOW_MS } from './gate-provision.js';
import type { GateExit } from './gate-rig.js';
import { runGateScanner, type ScanOnceContext, scanBudgets } from './gate-scanner.js';
import { buildHelpers } from './helper-bundle.js';
import { deleteNamespacesSync, inNamespace } from './network-namespaces.js';
import type { PortalDecision, ScanRecord } from './outcome-accounting.js';
import { gateOfVenue, soakVenueCodes } from './portal-dir.js';
import { PortalHost } from './portal-host.js';
import { PrivacyNeedles } from './privacy-search.js';
import { type PrivacySweep, sweepForPersonalData } from './privacy-sweep.js';
import { type ProcSample, sampleProcess } from './proc-sampler.js';
import { PROBE_GATE } from './shared-faults.js';
import { gateIntervalMs, type SoakOptions, scanningMs } from './soak-options.js';
import type { RestartRule } from './systemd-unit.js';

/** No fault in the first and the last this many ms: baselines, and the final memory figures. */
export const WARMUP_MS = 30_000;
export const QUIET_MS = 30_000;
const SAMPLE_EVERY_MS = 5_000;

export interface GateFigures {
  index: number;
  samples: ProcSample[];
  exits: GateExit[];
  crashLines: number;
  /** Outcome lines no scan waited for. */
  unsolicited: Array<{ at: number; outcome: string }>;
  warnings: Record<string, number>;
}

export interface SoakRun {
  options: SoakOptions;
  startedAt: number;
  setupMs: number;
  /** Epoch ms: scanning phase. */
  t0: number;
  t1: number;
  teardownMs: number;
  environment: {
    network: string;
    fourGBy: string | null;
    cpus: number;
    node: string;
    kernel: string;
    rule: RestartRule;
  };
  load: Array<{ at: number; load1: number }>;
  scans: ScanRecord[];
  decisions: PortalDecision[];
  schedule: FaultEvent[];
  faults: FaultRecord[];
  idleProbes: IdleProbe[];
  outputChecks: FaultContext['outputChecks'];
  fourGWindows: Array<{ from: number; to: number }>;
  gates: GateFigures[];
  portalSamples: ProcSample[];
  soakCpuMs: number;
  portalStarts: number;
  privacy: PrivacySweep;
  aborted: boolean;
}

export interface RunControl {
  log(line: string): void;
  /** True once Ctrl-C asked the run to end early. */
  aborted(): boolean;
}

export async function runSoak(o: SoakOptions, repo: string, control: RunControl): Promise<SoakRun> {
  const startedAt = Date.now();
  const { log } = control;
  const root = mkdtempSync(join(tmpdir(), 'pg-soak-'));
  log(`run directory ${root}`);
  const distEntry = buildDist(repo);
  const helpers = await buildHelpers(repo, root);
  const network = await setUpNetwork({
    wanted: o.network,
    emulatorEntry: helpers.linkEmulator,
    logDir: root,
    seed: o.seed,
  });
  log(network.note);
  const needles = new PrivacyNeedles();
  const secret = newSecret();
  const decisions: PortalDecision[] = [];
  const fleet = await setUpFleet({ root, gates: o.gates, seed: o.seed, network, distEntry, repo, log });
  const portal = new PortalHost({
    dir: fleet.portalDir,
    host: fleet.portalHost,
    port: fleet.portalPort,
    tlsHosts: [fleet.portalHost],
    secret,
    policy: { natPolicy: 'deny', vaccinationPolicy: 'deny' },
    exec: network.ns ? inNamespace(network.ns.portalNs) : [],
    entry: helpers.portal,
    logDir: root,
    onDecision: (d) => {
      const gate = gateOfVenue(d.venueCode);
      if (gate !== null) decisions.push({ gate, key: d.key, outcome: d.outcome, tampered: d.tampered, at: d.at });
    },
  });
  const rigs = fleet.rigs;
  const load: SoakRun['load'] = [];
  const portalSamples: ProcSample[] = [];
  const sample = () => {
    for (const rig of rigs) rig.sample();
    const pid = portal.pid;
    const s = pid === null ? null : sampleProcess(pid);
    if (s) portalSamples.push(s);
    load.push({ at: Date.now(), load1: loadavg()[0] });
  };
  let sampler: NodeJS.Timeout | null = null;
  const scans: ScanRecord[] = [];
  let faults: FaultRecord[] = [];
  const context: FaultContext = {
    portal,
    link: network.link,
    rigs,
    venueCodes: soakVenueCodes,
    boundVenue: new Map(rigs.map((r) => [r.index, 0 as const])),
    cli: (gate, args) =>
      runCli(fleet.gateExec, distEntry, rigs[gate].dataDir, fleet.env, join(rigs[gate].dir, 'cli.log'), args),
    scanContext: (gate) => scanContexts[gate],
    natIdleMs: o.natIdleMs,
    idleGapMs: o.idleGapMs,
    idleProbes: [],
    fourGWindows: [],
    outputChecks: [],
  };
  const budgets = scanBudgets(SOAK_SHOW_MS, DEFAULT_TIMEOUTS);
  const sources = scanSources(fleet.prepared, secret, needles);
  let scanId = 0;
  const scanContexts: ScanOnceContext[] = rigs.map((rig) => ({
    rig,
    sources,
    budgets,
    random: mulberry32(o.seed * 7919 + rig.index + 1),
    nextScanId: () => scanId++,
    record: (s) => scans.push(s),
    deviceFaultUntil: () => rig.deviceFaultUntil,
  }));
  let schedule: FaultEvent[] = [];
  let t0 = Date.now();
  let t1 = t0;
  let setupMs = 0;
  let teardownStart = 0;
  try {
    await portal.start();
    log(`portal at ${portal.url}; starting ${rigs.length} daemons`);
    for (const rig of rigs) {
      rig.supervisor.start();
      await new Promise((r) => setTimeout(r, 40));
    }
    const upBy = Date.now() + 240_000;
    // Every daemon authorized once: the first scans do not wait for a fleet's worth of SM2 work.
    while (!rigs.every((r) => r.canScan('code') && r.canScan('card') && r.authorized)) {
      if (Date.now() > upBy || control.aborted()) throw new Error('the fleet did not come up within 4 minutes');
      await new Promise((r) => setTimeout(r, 250));
    }
    sample();
    sampler = setInterval(sample, SAMPLE_EVERY_MS);
    t0 = Date.now();
    setupMs = t0 - startedAt;
    const durationMs = scanningMs(o, setupMs);
    schedule = faultSchedule({
      seed: o.seed,
      durationMs,
      gates: o.gates,
      warmupMs: WARMUP_MS,
      quietMs: QUIET_MS,
      network: network.link !== null,
      natIdleMs: o.natIdleMs,
      idleGapMs: o.idleGapMs,
      protectedGates: [PROBE_GATE],
    });

    log(
      `fleet up after ${(setupMs / 1000).toFixed(0)} s; scanning for ${(durationMs / 1000).toFixed(0)} s, ${schedule.length} faults planned`,
    );
    const stopAt = t0 + durationMs;
    const stopped = () => Date.now() >= stopAt || control.aborted();
    const interval = gateIntervalMs(o);
    const progress = setInterval(() => {
      const s = (Date.now() - t0) / 1000;
      log(
        `${s.toFixed(0)} s: ${scans.length} scans (${(scans.length / s).toFixed(0)}/s), load ${loadavg()[0].toFixed(1)}`,
      );
    }, 60_000);
    const loops = scanContexts.map((c, i) =>
      runGateScanner({ ...c, seed: o.seed * 104_729 + i, intervalMs: interval, stopped }),
    );
    const faultsDone = runFaultSchedule(context, schedule, t0, stopped, log, [PROBE_GATE]);
    await Promise.all(loops);
    t1 = Date.now();
    sample();
    faults = await faultsDone;
    clearInterval(progress);
  } finally {
    teardownStart = Date.now();
    if (sampler) clearInterval(sampler);
    await Promise.all(rigs.map((r) => r.supervisor.stop()));
    await portal.stop();
    await network.link?.stop();
    await Promise.all(rigs.flatMap((r) => [r.scanner.unplug(), r.reader.unplug()]));
    if (network.ns) deleteNamespacesSync(network.ns);
  }
  log('searching every file and log line the gates wrote for personal data');
  const privacy = sweepForPersonalData(
    rigs.map((r) => r.dir),
    needles,
  );
  const run: SoakRun = {
    options: o,
    startedAt,
    setupMs,
    t0,
    t1,
    teardownMs: Date.now() - teardownStart,
    environment: {
      network: network.note,
      fourGBy: network.link?.fourGBy ?? null,
      cpus: cpus().length,
      node: process.version,
      kernel: release(),
      rule: fleet.rule,
    },
    load,
    scans,
    decisions,
    schedule,
    faults,
    idleProbes: context.idleProbes,
    outputChecks: context.outputChecks,
    fourGWindows: context.fourGWindows,
    gates: rigs.map((r) => ({
      index: r.index,
      samples: r.samples,
      exits: r.exits,
      crashLines: r.crashLines,
      unsolicited: r.unsolicited.map((u) => ({
        at: u.at,
        outcome: u.line.type === 'verdict' ? u.line.outcome : `dropped:${u.line.reason}`,
      })),
      warnings: Object.fromEntries(r.events),
    })),
    portalSamples,
    soakCpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
    portalStarts: portal.starts,
    privacy,
    aborted: control.aborted(),
  };
  if (!o.keep) rmSync(root, { recursive: true, force: true });
  else log(`kept ${root}`);
  return run;
}

/** `passgate <args>` for one gate, as a technician runs it on the device (in the gates' namespace). */
function runCli(
  exec: string[],
  distEntry: string,
  dataDir: string,
  env: NodeJS.ProcessEnv,
  logFile: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const argv = [...exec, process.execPath, distEntry, ...args];
  return new Promise((resolve) => {
    const child = track(
      spawn(argv[0], argv.slice(1), { env: { ...env, PASSGATE_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] }),
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('close', (code) => {
      appendFileSync(logFile, `$ passgate ${args.join(' ')}\n${stdout}${stderr}exit ${code}\n`);
      resolve({ code, stdout, stderr });
    });
  });
}
