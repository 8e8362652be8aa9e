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
  /** Outputs found on after a restart (the relay must never be), per check. */
  outputChecks: Array<{ gate: number; kind: string; allOff: boolean }>;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));
