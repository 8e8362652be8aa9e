// How many gates scan at once. A fleet on a shared 2-core box can ask for more CPU than there is:
// then every daemon's timers fire late, and the soak measures the box, not the gate (a 3 s
// deadline timer was seen firing after 14 s while a fleet re-authorized at once). So the number
// of scanning gates follows the daemons' scheduling latency (time from runnable to running, per
// timeslice, from /proc/<pid>/schedstat), additive increase, multiplicative decrease. Idle gates
// keep running (and keep their faults); they just get no people. Before a fault that drops every
// session (token expiry, portal restart) the fleet stops at a few gates, lets the scans under way
// end, and after it takes people back gradually: each daemon re-authorizes at its next scan, SM2
// on its event loop, and a whole fleet doing that at once on two CPUs stalls every one of them
// for seconds, which a lone device never sees.
import { schedstatOf } from './proc-sampler.js';

/** Mean wait for a CPU per timeslice above which the fleet shrinks, and below which it grows, ms. */
export const LATENCY_HIGH_MS = 12;
export const LATENCY_LOW_MS = 4;

/** How often the throttle looks, ms. */
export const THROTTLE_EVERY_MS = 1_000;

/**
 * Gates added in one step while the daemons get a CPU at once: a 16th of the fleet (~16 s from
 * the few gates after a session loss back to all of them).
 */
export function growthStep(bounds: { max: number }): number {
  return Math.max(1, Math.round(bounds.max / 16));
}

/** The next number of scanning gates (one step a second). Pure. */
export function nextActiveGates(active: number, latencyMs: number, bounds: { min: number; max: number }): number {
  if (!Number.isFinite(latencyMs)) return active;
  if (latencyMs > LATENCY_HIGH_MS) return Math.max(bounds.min, Math.floor(active * 0.9));
  if (latencyMs < LATENCY_LOW_MS) return Math.min(bounds.max, active + growthStep(bounds));
  return active;
}

export interface ThrottlePoint {
  at: number;
  active: number;
  latencyMs: number;
}

export class FleetThrottle {
  active: number;
  readonly history: ThrottlePoint[] = [];
  private last = new Map<number, { waitNs: number; slices: number }>();
  /**
   * After every session was lost: gates from this index on have not scanned since, and each
   * re-authorizes at its next scan. They join as many a second as the fleet grows by anyway
   * (growthStep): a re-authorize costs ~25 ms of CPU in all (SM2 sign and encrypt at the daemon,
   * verify and decrypt at the portal; `authorize_cpu_ms` in `npm run bench`), so a 16th of the
   * fleet a second is ~0.15 s of CPU a second. With the JavaScript SM2 used before (~0.13 s a
   * re-authorize) a whole fleet at once made deadline timers fire seconds late, even a 32nd a
   * second gave deadline misses after portal restarts, and one gate a second kept the fleet short
   * for ~90 s after each loss. Infinity: no session lost.
   */
  private sessionless = Number.POSITIVE_INFINITY;

  constructor(private readonly bounds: { min: number; max: number }) {
    // Start with half: every daemon has booted and authorized by now, and the throttle halves an
    // overload within seconds (a tenth a second) while it takes 16 s to grow from half to all.
    this.active = Math.max(bounds.min, Math.ceil(bounds.max / 2));
  }

  /** Every session is gone: start again from a few gates, so they do not all re-authorize at once. */
  sessionsLost(): void {
    this.active = this.bounds.min;
    this.sessionless = this.bounds.min;
    this.history.push({ at: Date.now(), active: this.active, latencyMs: Number.NaN });
  }

  /** Gate i scans when i < active (gate 0, the probe, always). */
  isActive(gate: number): boolean {
    return gate === 0 || gate < this.active;
  }

  /** Moves to `next` scanning gates; past the gates that re-authorized since a loss, `rejoin` more at most. */
  step(next: number, rejoin = growthStep(this.bounds)): void {
    this.active = Math.min(next, Math.max(this.active, this.sessionless + rejoin));
    if (this.active > this.sessionless) this.sessionless = this.active;
    if (this.sessionless >= this.bounds.max) this.sessionless = Number.POSITIVE_INFINITY;
  }

  /** Reads the schedstat of the given daemons and moves the number of scanning gates. */
  update(pids: readonly number[]): ThrottlePoint {
    let wait = 0;
    let slices = 0;
    const next = new Map<number, { waitNs: number; slices: number }>();
    for (const pid of pids) {
      const s = schedstatOf(pid);
      if (!s) continue;
      next.set(pid, s);
      const before = this.last.get(pid);
      if (!before) continue;
      wait += s.waitNs - before.waitNs;
      slices += s.slices - before.slices;
    }
    this.last = next;
    const latencyMs = slices > 0 ? wait / slices / 1e6 : Number.NaN;
    this.step(nextActiveGates(this.active, latencyMs, this.bounds));
    const point = { at: Date.now(), active: this.active, latencyMs };
    this.history.push(point);
    return point;
  }
}
