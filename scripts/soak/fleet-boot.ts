// The fleet's boot: every daemon started, a few at a time, and each up with both inputs and
// authorized once before anyone scans.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { GateRig } from './gate-rig.js';
import { sampleProcess } from './proc-sampler.js';

/**
 * Daemons booting at once (started, not yet up with both inputs and authorized). A boot costs
 * 0.7–1 s of CPU (measured: loading the bundle, SQLite, the drivers, and SM2 still cold at the
 * first authorize, where the first sign and encrypt take ~0.25 s before V8 has optimized them),
 * with short waits for the portal between: six at a time keep both CPUs busy, and each boot
 * ends in a few seconds; while the CPUs still idle, a few more. Started every 150 ms whatever the load, as before, the whole fleet was
 * booting at once, every authorize waited its turn behind dozens of others, and a daemon's
 * readiness said nothing about its neighbours.
 */
export const BOOTING_AT_ONCE = 6;
/**
 * More may boot at once while the box still has idle CPU (the six waiting on the portal or the
 * disk): up to this many, when at least IDLE_TO_START_MORE of the CPUs sat idle since the last look.
 */
export const MAX_BOOTING_AT_ONCE = 10;
export const IDLE_TO_START_MORE = 0.2;

export interface CpuTimes {
  /** Clock ticks of all CPUs idle (idle + iowait) and in all. */
  idle: number;
  total: number;
}

/** The box's CPU times from the text of /proc/stat (its first, "cpu" line); null if unreadable. Pure. */
export function cpuTimesOf(statText: string): CpuTimes | null {
  const line = statText.split('\n', 1)[0];
  if (!line.startsWith('cpu ')) return null;
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  if (ticks.length < 5 || ticks.some((t) => !Number.isFinite(t))) return null;
  // user nice system idle iowait irq softirq steal (guest time is counted in user already)
  const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
  return { idle: ticks[3] + ticks[4], total };
}

/** Whether another daemon may start booting now. Pure. */
export function mayStartBoot(booting: number, idleShare: number | null): boolean {
  if (booting < BOOTING_AT_ONCE) return true;
  return booting < MAX_BOOTING_AT_ONCE && idleShare !== null && idleShare >= IDLE_TO_START_MORE;
}

function readCpuTimes(): CpuTimes | null {
  try {
    return cpuTimesOf(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return null;
  }
}
/** A daemon not up after this long frees its boot slot (the fleet still waits for it below). */
const BOOT_SLOT_MS = 8_000;
/** The whole fleet must be up within this long. */
const FLEET_UP_MS = 240_000;

/**
 * Starts every daemon, a few booting at a time, and waits until each is up and authorized once:
 * a gate that boots beside others on two CPUs is not a gate at work (the boot counts against the
 * budget, as setup).
 */
export async function bootFleet(
  rigs: readonly GateRig[],
  control: { aborted(): boolean },
  log: (line: string) => void,
): Promise<void> {
  const started = Date.now();
  const upBy = started + FLEET_UP_MS;
  const isUp = (r: GateRig) => r.canScan('code') && r.canScan('card') && r.authorized;
  const booting = new Map<GateRig, number>();
  const bootCpuMs: number[] = [];
  const settle = () => {
    for (const [rig, since] of booting) {
      if (isUp(rig)) {
        const cpu = rig.pid === null ? null : sampleProcess(rig.pid)?.cpuMs;
        if (cpu !== undefined && cpu !== null) bootCpuMs.push(cpu);
        booting.delete(rig);
      } else if (Date.now() - since > BOOT_SLOT_MS) booting.delete(rig);
    }
  };
  const waitForAChange = (among: Iterable<GateRig>) => Promise.race([...among].map((r) => r.changed(250)));
  // The idle share of the CPUs since the last start, once ~100 ms of ticks (10 a CPU) have passed.
  const minTicks = 10 * cpus().length;
  let cpuBefore = readCpuTimes();
  let idleShare: number | null = null;
  const lookAtCpu = () => {
    const now = readCpuTimes();
    if (now && cpuBefore && now.total - cpuBefore.total >= minTicks) {
      idleShare = (now.idle - cpuBefore.idle) / (now.total - cpuBefore.total);
      cpuBefore = now;
    }
  };
  for (const rig of rigs) {
    for (settle(), lookAtCpu(); !mayStartBoot(booting.size, idleShare); settle(), lookAtCpu()) {
      if (Date.now() > upBy || control.aborted()) throw new Error('the fleet did not come up within 4 minutes');
      await waitForAChange(booting.keys());
    }
    rig.supervisor.start();
    cpuBefore = readCpuTimes(); // the next one beyond six only after a fresh look at the CPUs
    idleShare = null;
    booting.set(rig, Date.now());
  }
  while (!rigs.every(isUp)) {
    if (Date.now() > upBy || control.aborted()) throw new Error('the fleet did not come up within 4 minutes');
    await waitForAChange(rigs.filter((r) => !isUp(r)));
  }
  settle();
  const mean = bootCpuMs.length ? bootCpuMs.reduce((a, b) => a + b, 0) / bootCpuMs.length : Number.NaN;
  log(
    `${rigs.length} daemons up and authorized in ${((Date.now() - started) / 1000).toFixed(1)} s (CPU per boot ~${mean.toFixed(0)} ms)`,
  );
}
