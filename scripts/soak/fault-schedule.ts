// The soak's faults, planned up front from a seed: the same seed, duration and fleet give the
// same schedule, so a failing run can be repeated fault for fault. Pure: no clock, no I/O.
//
// Two kinds of lane:
// - one shared lane for the portal and the network: at most one such fault at a time, so a
//   verdict's latency or a network error can be put down to one cause, and the 4G figures are
//   not mixed with a latency spike of the portal;
// - the per-gate lane for devices and the process: a fault takes one gate for a while; gates
//   listed in `protectedGates` never get one (they keep whole-run memory and descriptor figures,
//   and gate 0 is the probe of the NAT idle test).
import { mulberry32 } from '../lab/synth-image.js';

export const PORTAL_FAULTS = [
  'portal-latency',
  'portal-503',
  'portal-reset',
  'portal-wrong-mac',
  'portal-token-expiry',
  'portal-clock-jump',
  'portal-restart',
] as const;
export const NETWORK_FAULTS = ['net-4g', 'net-nat-idle', 'net-blackhole'] as const;
export const DEVICE_FAULTS = ['scanner-unplug', 'reader-unplug', 'scanner-garbage', 'reader-garbage'] as const;
export const PROCESS_FAULTS = ['daemon-sigkill', 'config-rebind-race', 'power-cut'] as const;

export type PortalFault = (typeof PORTAL_FAULTS)[number];
export type NetworkFault = (typeof NETWORK_FAULTS)[number];
export type GateFault = (typeof DEVICE_FAULTS)[number] | (typeof PROCESS_FAULTS)[number];
export type FaultKind = PortalFault | NetworkFault | GateFault;
export type FaultFamily = 'portal' | 'network' | 'device' | 'process';

export interface FaultEvent {
  /** Position in the schedule, 0-based, in time order. */
  id: number;
  kind: FaultKind;
  family: FaultFamily;
  /** Ms after the scanning phase started. */
  atMs: number;
  /** How long the fault (or its procedure) is planned to hold, in ms. */
  durationMs: number;
  /** The gate a device or process fault takes; null for the portal and the network. */
  gate: number | null;
  /** portal-latency: added ms; portal-clock-jump: the portal's clock step (±5 min). */
  amountMs?: number;
}

export interface ScheduleOptions {
  seed: number;
  /** Length of the scanning phase, ms. */
  durationMs: number;
  gates: number;
  /** No fault starts before this (the fleet warms up and the baselines are taken). */
  warmupMs: number;
  /** No fault is active during the last quietMs (the final memory and descriptor figures). */
  quietMs: number;
  /** The network faults need the namespaces; without them the lane holds portal faults only. */
  network: boolean;
  /** NAT idle test: the NAT's idle timeout and the gate's idle gap before its "morning" scan. */
  natIdleMs: number;
  idleGapMs: number;
  /** Gates that never get a device or process fault. */
  protectedGates: readonly number[];
  /** Mean pause between two per-gate faults across the fleet, ms. */
  gateFaultEveryMs?: number;
}

const CLOCK_JUMP_MS = 5 * 60_000;
/** Pause between two faults of the shared lane: the gates recover and scan clean meanwhile. */
const LANE_GAP_MS: [number, number] = [5_000, 12_000];
/** A 4G phase long enough for a steady latency distribution, short enough to leave room. */
const FOUR_G_MS: [number, number] = [30_000, 50_000];

export function faultFamily(kind: FaultKind): FaultFamily {
  if ((PORTAL_FAULTS as readonly string[]).includes(kind)) return 'portal';
  if ((NETWORK_FAULTS as readonly string[]).includes(kind)) return 'network';
  if ((DEVICE_FAULTS as readonly string[]).includes(kind)) return 'device';
  return 'process';
}

/** A uniformly random integer in [lo, hi]. */
function between(random: () => number, [lo, hi]: [number, number]): number {
  return lo + Math.floor(random() * (hi - lo + 1));
}

function shuffled<T>(random: () => number, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Planned length of a shared-lane fault. */
function laneDuration(kind: PortalFault | NetworkFault, random: () => number, o: ScheduleOptions): number {
  switch (kind) {
    case 'portal-token-expiry':
      return 1_000; // an instant: the tokens go, the next requests re-authorize
    case 'portal-clock-jump':
      return between(random, [10_000, 20_000]);
    case 'portal-restart':
      return between(random, [1_000, 4_000]); // how long the portal stays down
    case 'net-4g':
      return between(random, FOUR_G_MS);
    case 'net-nat-idle':
      // one scan to warm the connection, the idle gap, the morning scan and its deadline
      return o.idleGapMs + 10_000;
    case 'net-blackhole':
      return between(random, [4_000, 9_000]);
    default:
      return between(random, [3_000, 7_000]);
  }
}

/** Planned length of a per-gate fault (until the gate scans normally again). */
function gateDuration(kind: GateFault, random: () => number): number {
  switch (kind) {
    case 'scanner-unplug':
    case 'reader-unplug':
      return between(random, [2_000, 6_000]);
    case 'scanner-garbage':
    case 'reader-garbage':
      return 4_000;
    case 'daemon-sigkill':
    case 'power-cut':
      return 8_000; // the unit's restart delay, a boot and the drivers opening
    case 'config-rebind-race':
      return 6_000;
  }
}

/** The shared lane: portal and network faults, one at a time, every kind at least once when time allows. */
function sharedLane(random: () => number, o: ScheduleOptions): Omit<FaultEvent, 'id'>[] {
  const kinds: Array<PortalFault | NetworkFault> = [...PORTAL_FAULTS, ...(o.network ? NETWORK_FAULTS : [])];
  const events: Omit<FaultEvent, 'id'>[] = [];
  const end = o.durationMs - o.quietMs;
  let at = o.warmupMs;
  let round: Array<PortalFault | NetworkFault> = [];
  const shortest = (k: PortalFault | NetworkFault) => laneDuration(k, () => 0, o);
  while (kinds.some((k) => at + shortest(k) <= end)) {
    if (round.length === 0) round = shuffled(random, kinds);
    const kind = round.shift()!;
    const durationMs = laneDuration(kind, random, o);
    if (at + durationMs > end) continue; // too long for what is left; it comes back next round
    const event: Omit<FaultEvent, 'id'> = { kind, family: faultFamily(kind), atMs: at, durationMs, gate: null };
    if (kind === 'portal-latency') event.amountMs = between(random, [800, 4_500]);
    if (kind === 'portal-clock-jump') event.amountMs = random() < 0.5 ? -CLOCK_JUMP_MS : CLOCK_JUMP_MS;
    events.push(event);
    at += durationMs + between(random, LANE_GAP_MS);
  }
  return events;
}

/** Per-gate lane: device and process faults on unprotected gates, never two at once on one gate. */
function gateLane(random: () => number, o: ScheduleOptions): Omit<FaultEvent, 'id'>[] {
  const candidates = Array.from({ length: o.gates }, (_, g) => g).filter((g) => !o.protectedGates.includes(g));
  if (candidates.length === 0) return [];
  const kinds: GateFault[] = [...DEVICE_FAULTS, ...PROCESS_FAULTS];
  const every = o.gateFaultEveryMs ?? 6_000;
  const busyUntil = new Map<number, number>();
  const events: Omit<FaultEvent, 'id'>[] = [];
  const end = o.durationMs - o.quietMs;
  let round: GateFault[] = [];
  for (let at = o.warmupMs; ; at += Math.round(every * (0.5 + random()))) {
    if (round.length === 0) round = shuffled(random, kinds);
    const kind = round[0];
    const durationMs = gateDuration(kind, random);
    if (at + durationMs > end) break;
    const free = candidates.filter((g) => (busyUntil.get(g) ?? 0) <= at);
    if (free.length === 0) continue;
    round.shift();
    const gate = free[Math.floor(random() * free.length)];
    busyUntil.set(gate, at + durationMs + 2_000);
    events.push({ kind, family: faultFamily(kind), atMs: at, durationMs, gate });
  }
  return events;
}

/** The whole schedule, in time order. */
export function faultSchedule(o: ScheduleOptions): FaultEvent[] {
  const random = mulberry32(o.seed);
  const shared = sharedLane(random, o);
  const perGate = gateLane(random, o);
  return [...shared, ...perGate]
    .sort((a, b) => a.atMs - b.atMs || a.kind.localeCompare(b.kind))
    .map((event, id) => ({ id, ...event }));
}
