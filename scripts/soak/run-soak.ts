// The soak from start to end: set up, start the fleet, scan and inject faults for the duration,
// stop everything, search for personal data. Returns the raw run; soak-metrics.ts makes figures.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { timeoutTable } from '../../firmware/core/timeouts.js';
import { mulberry32 } from '../lab/synth-image.js';
import { track } from './child-processes.js';
import { type FaultContext, type FaultRecord, faultsSoFar, type IdleProbe, sleep } from './fault-context.js';
import { runFaultSchedule } from './fault-runner.js';
import { type FaultEvent, faultSchedule } from './fault-schedule.js';
import { bootFleet } from './fleet-boot.js';
import { buildDist, distEntryOf, newSecret, scanSources, setUpFleet, setUpNetwork } from './fleet-setup.js';
import { FleetThrottle, THROTTLE_EVERY_MS, type ThrottlePoint } from './fleet-throttle.js';
import { SOAK_SHOW_MS, SOAK_TIMEOUTS } from './gate-provision.js';
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
/** How long the end of the run waits for fault procedures still under way. */
const FAULT_GRACE_MS = 10_000;

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
  /** From t0 to the first fault: the fleet's boot and the warm-up. */
  warmupMs: number;
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
  /** Scanning gates and the daemons' scheduling latency over time. */
  throttle: ThrottlePoint[];
  /** Epoch ms the whole fleet was up: the CPU figures cover upAt–t1. */
  upAt: number;
  /** The soak's own CPU from upAt to t1. */
  soakCpuMs: number;
  /** CPU of the socat processes alive from the fleet's start to the end of scanning (replugged ones are left out). */
  socatCpuMs: number;
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
  const phase = (name: string) => log(`setup: ${name} after ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  // The build runs in its own process while this one makes the namespaces and the gates.
  const built = buildDist(repo);
  built.catch(() => undefined); // awaited below; a failure must not end the process before that
  const distEntry = distEntryOf(repo);
  const helpers = await buildHelpers(repo, root);
  phase('helpers');
  const network = await setUpNetwork({
    wanted: o.network,
    emulatorEntry: helpers.linkEmulator,
    logDir: root,
    seed: o.seed,
  });
  log(network.note);
  phase('network');
  const needles = new PrivacyNeedles();
  const secret = newSecret();
  const decisions: PortalDecision[] = [];
  const fleet = await setUpFleet({ root, gates: o.gates, seed: o.seed, network, distEntry, repo, log });
  phase('fleet provisioned');
  await built;
  phase('build');
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
  });
  const rigs = fleet.rigs;
  const load: SoakRun['load'] = [];
  const portalSamples: ProcSample[] = [];
  const throttle = new FleetThrottle({ min: Math.min(4, rigs.length), max: rigs.length });
  const sample = () => {
    for (const rig of rigs) rig.sample();
    const pid = portal.pid;
    const s = pid === null ? null : sampleProcess(pid);
    if (s) portalSamples.push(s);
    load.push({ at: Date.now(), load1: loadavg()[0] });
  };
  let sampler: NodeJS.Timeout | null = null;
  let throttleTimer: NodeJS.Timeout | null = null;
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
    faultRecords: [],
    sessionsLost: async () => {
      // The scans under way would all re-authorize at once: let them end first (a few seconds at most).
      throttle.sessionsLost();
      const by = Date.now() + 5_000;
      while (Date.now() < by && rigs.some((r, i) => !throttle.isActive(i) && r.scanning)) await sleep(50);
    },
  };
  const budgets = scanBudgets(SOAK_SHOW_MS, timeoutTable(SOAK_TIMEOUTS));
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
  const warmupMs = WARMUP_MS;
  // socat's share: the pty pairs relay every byte between the daemons and the simulated devices.
  const socatCpu = () =>
    new Map(
      rigs
        .flatMap((r) => [r.scanner.socatPid, r.reader.socatPid])
        .filter((p): p is number => p !== null)
        .map((p) => [p, sampleProcess(p)?.cpuMs ?? Number.NaN]),
    );
  let socatAtStart = new Map<number, number>();
  let socatMs = 0;
  let soakAtStart = process.cpuUsage();
  let soakMs = 0;
  let upAt = 0;
  try {
    await portal.start();
    log(`portal at ${portal.url}; starting ${rigs.length} daemons`);
    phase('portal');
    sampler = setInterval(sample, SAMPLE_EVERY_MS);
    await bootFleet(rigs, control, log);
    t0 = Date.now();
    upAt = t0;
    setupMs = t0 - startedAt;
    const durationMs = scanningMs(o, setupMs);
    const stopAt = t0 + durationMs;
    const stopped = () => Date.now() >= stopAt || control.aborted();
    socatAtStart = socatCpu();
    soakAtStart = process.cpuUsage();
    sample();
    throttleTimer = setInterval(
      () => throttle.update(rigs.map((r) => r.pid).filter((p): p is number => p !== null)),
      THROTTLE_EVERY_MS,
    );
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
    const interval = gateIntervalMs(o);
    const loops = scanContexts.map((c, i) =>
      runGateScanner({
        ...c,
        seed: o.seed * 104_729 + i,
        intervalMs: interval,
        active: () => throttle.isActive(i),
        stopped,
      }),
    );
    const progress = setInterval(() => {
      const s = (Date.now() - t0) / 1000;
      log(
        `${s.toFixed(0)} s: ${scans.length} scans (${(scans.length / s).toFixed(0)}/s), ${throttle.active} gates scanning, load ${loadavg()[0].toFixed(1)}`,
      );
    }, 60_000);
    const faultsDone = runFaultSchedule(context, schedule, t0, stopped, log, [PROBE_GATE]);
    await Promise.all(loops);
    t1 = Date.now();
    sample();
    socatMs = cpuDelta(socatAtStart, socatCpu());
    const soakUsage = process.cpuUsage(soakAtStart);
    soakMs = (soakUsage.user + soakUsage.system) / 1000;
    // A fault procedure still under way (a technician's command waiting, a restart) is not waited
    // for long: the budget has the teardown to pay for.
    faults = await Promise.race([faultsDone, sleep(FAULT_GRACE_MS).then(() => faultsSoFar(context))]);
    clearInterval(progress);
  } finally {
    teardownStart = Date.now();
    if (sampler) clearInterval(sampler);
    if (throttleTimer) clearInterval(throttleTimer);
    await Promise.all(rigs.map((r) => r.supervisor.stop()));
    await portal.stop();
    const written = portal.decisions();
    for (const d of written.notes) {
      const gate = gateOfVenue(d.venueCode);
      if (gate !== null) decisions.push({ gate, key: d.key, outcome: d.outcome, tampered: d.tampered, at: d.at });
    }
    if (written.unreadable > 0) log(`portal decisions: ${written.unreadable} unreadable line(s) ignored`);
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
    warmupMs,
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
    throttle: throttle.history,
    upAt,
    soakCpuMs: soakMs,
    socatCpuMs: socatMs,
    portalStarts: portal.starts,
    privacy,
    aborted: control.aborted(),
  };
  // For a look afterwards (--keep): every scan's record (keyword, keyed hash, outcome, times; no code, name or number).
  writeFileSync(join(root, 'scans.jsonl'), scans.map((x) => JSON.stringify(x)).join('\n'));
  if (!o.keep) rmSync(root, { recursive: true, force: true });
  else log(`kept ${root}`);
  return run;
}

function cpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of after) {
    const was = before.get(pid);
    if (was !== undefined && Number.isFinite(was) && Number.isFinite(ms)) total += ms - was;
  }
  return total;
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
      spawn(argv[0], argv.slice(1), {
        env: { ...env, PASSGATE_DATA_DIR: dataDir },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      }),
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
