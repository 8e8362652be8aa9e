// What the fault procedures work with, and what they leave behind for the report.
import type { FaultEvent } from './fault-schedule.js';
import type { GateRig } from './gate-rig.js';
import type { ScanOnceContext } from './gate-scanner.js';
import type { NetworkLink } from './network-link.js';
import type { PortalHost } from './portal-host.js';

export interface FaultRecord {
  event: FaultEvent;
  /** Epoch ms the procedure started and ended. */
  startedAt: number;
  endedAt: number;
  ok: boolean;
  notes: string[];
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface IdleProbe {
  gapMs: number;
  natIdleMs: number;
  /** Read → outcome of the morning scan, as the daemon measured it; null without an outcome. */
  firstScanMs: number | null;
  outcome: string | null;
  cause: string | null;
}

export interface FaultContext {
  portal: PortalHost;
  /** null without the namespaces (the network faults are then not scheduled). */
  link: NetworkLink | null;
  rigs: GateRig[];
  /** The two venue codes of a gate, and which one it is bound to now (0 or 1). */
  venueCodes(gate: number): [string, string];
  boundVenue: Map<number, 0 | 1>;
  /** `passgate <args>` for a gate (in the gate namespace), output kept for the privacy search. */
  cli(gate: number, args: string[]): Promise<CliRun>;
  scanContext(gate: number): ScanOnceContext;
  natIdleMs: number;
  idleGapMs: number;
  idleProbes: IdleProbe[];
  /** 4G windows (epoch ms), for the 4G latency figures. */
  fourGWindows: Array<{ from: number; to: number }>;
  /** Outputs right after a restart, before any scan: the relay must be off, and all outputs unless in bind mode. */
  outputChecks: Array<{ gate: number; kind: string; relayOff: boolean; allOff: boolean }>;
  /**
   * Every session at the portal is about to go: the fleet throttle stops giving people to all but
   * a few gates and waits for the scans under way, then takes people back gradually.
   */
  sessionsLost(): Promise<void>;
  /** Every fault started so far; one still under way has endedAt 0. */
  faultRecords: FaultRecord[];
}

/** The faults started so far, in order; those still under way marked so and ended now. */
export function faultsSoFar(c: Pick<FaultContext, 'faultRecords'>): FaultRecord[] {
  const now = Date.now();
  return c.faultRecords
    .map((r) =>
      r.endedAt === 0 ? { ...r, endedAt: now, notes: [...r.notes, 'still under way at the end of the run'] } : r,
    )
    .sort((a, b) => a.startedAt - b.startedAt);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));
