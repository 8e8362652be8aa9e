// The gate's states, inputs and effects. The transition function (transition.ts) is pure over
// these; the runner (runner.ts) performs the effects and feeds results back as inputs.
// Scan payloads live only in memory, inside inputs and effects; nothing here is ever logged.
import type { ErrorCode } from '../core/errors.js';
import type { IdCardIdentity } from '../core/id-number.js';
import type { OutcomeKind, SignalKind } from '../core/outcome.js';
import type { Verdict } from '../core/verdict.js';

/** Where the gate rests between scans. */
export type RestPhase = { kind: 'needs-provisioning' } | { kind: 'unbound' } | { kind: 'idle' } | { kind: 'degraded' }; // the portal is failing; scans are still tried, and end in network-error

export const BIND_MODES = ['bind', 'rebind'] as const;
export type BindMode = (typeof BIND_MODES)[number];

export type GatePhase =
  | RestPhase
  | { kind: 'verifying'; requestId: number; source: string }
  | { kind: 'showing'; requestId: number; outcome: OutcomeKind }
  | { kind: 'bind-mode'; mode: BindMode; bindRequestId: string }
  | { kind: 'binding'; mode: BindMode; bindRequestId: string };

export type ScanPayload = { kind: 'code'; text: string } | { kind: 'card'; card: IdCardIdentity };

export interface Scan {
  source: string;
  payload: ScanPayload;
  /** Keyed hash of the payload, for duplicate suppression; never the payload itself. */
  fingerprint: string;
  /** Monotonic ms when the gate got it (the duplicate window counts from here). */
  at: number;
  /** Monotonic ms when it began to arrive at the driver (InputEvent.arrivedAt): timings start here. */
  arrivedAt: number;
}

export type GateInput =
  | { type: 'scan'; scan: Scan }
  | { type: 'read-error'; source: string; code: ErrorCode; at: number; arrivedAt: number }
  | { type: 'verdict'; requestId: number; verdict: Verdict }
  /**
   * `authenticated`: the error came sealed under the session keys (the portal itself said so). An
   * unauthenticated (plaintext) answer is shown as a network error and never changes the state.
   */
  | { type: 'portal-error'; requestId: number; code: ErrorCode; authenticated: boolean }
  | { type: 'timer'; timer: TimerName; token: number | string }
  | { type: 'provisioning'; provisioned: boolean }
  | { type: 'binding'; bound: boolean }
  | { type: 'portal-health'; up: boolean }
  | { type: 'bind-requested'; mode: BindMode; bindRequestId: string }
  | { type: 'bind-cancelled'; bindRequestId: string }
  | { type: 'bind-result'; bindRequestId: string; ok: true }
  | { type: 'bind-result'; bindRequestId: string; ok: false; code: ErrorCode };

/** `bind-notice`: how long "not a venue code" shows before the bind-mode light is back. */
export type TimerName = 'verify' | 'show' | 'bind-mode' | 'bind-notice';

/** Why a bind or rebind ended without binding. */
export type BindFailure = ErrorCode;

export type GateEffect =
  | { type: 'verify'; requestId: number; scan: Scan }
  /** `cause`: why a network-error or read-error outcome came about, for the log line. */
  | { type: 'signal'; signal: SignalKind; verdict?: Verdict; requestId?: number; source?: string; cause?: ErrorCode }
  /** The portal said (authenticated) that the device is not bound: ask it again in the background. */
  | { type: 'reconcile-binding' }
  | { type: 'start-timer'; timer: TimerName; token: number | string; ms: number }
  | { type: 'cancel-timer'; timer: TimerName }
  | { type: 'bind'; mode: BindMode; bindRequestId: string; venueCode: string }
  | { type: 'bind-finished'; bindRequestId: string; ok: true }
  | { type: 'bind-finished'; bindRequestId: string; ok: false; code: BindFailure }
  /** Input the gate did not take; `cause`: the code of a dropped read error. */
  | { type: 'dropped'; reason: DropReason; source: string; cause?: ErrorCode }
  /** The source's dropped input can be taken now: ask its driver to deliver it again. */
  | { type: 'read-again'; source: string };

/**
 * Why input was not taken. A duplicate (the same code or card within the dedup window of its
 * acceptance) is dropped silently; a scan in bind mode that is not a venue code shows its own
 * signal (not-venue-code); every other drop is signalled to the person (input-dropped).
 */
export type DropReason = 'busy' | 'duplicate' | 'queue-full' | 'bind-mode' | 'not-venue-code';

/** What happens to input that arrives while verifying or showing. */
export const BUSY_INPUT_MODES = ['drop', 'queue'] as const;
export type BusyInputMode = (typeof BUSY_INPUT_MODES)[number];
/** What happens when a venue requirement (NAT, vaccination) is not met: deny, or pass with a notice. */
export const REQUIREMENT_POLICIES = ['deny', 'warn'] as const;
export type RequirementPolicy = (typeof REQUIREMENT_POLICIES)[number];

export interface GatePolicy {
  busyInput: BusyInputMode;
  queueLimit: number;
  dedupWindowMs: number;
  showMs: number;
  verifyDeadlineMs: number;
  bindModeMs: number;
  natPolicy: RequirementPolicy;
  vaccinationPolicy: RequirementPolicy;
}

export interface GateModel {
  phase: GatePhase;
  /** Where to return after verifying, showing or binding. */
  rest: RestPhase;
  /** Fingerprints of recently accepted scans (ms), pruned as the window passes. */
  recent: ReadonlyArray<{ fingerprint: string; at: number }>;
  queue: readonly Scan[];
  /**
   * Sources whose scan was dropped (not as a duplicate), in order: once the gate can take a scan
   * again, each is asked to read again (a card left on the reader is read only once otherwise).
   */
  readAgain: readonly string[];
  nextRequestId: number;
}

export function initialModel(provisioned: boolean, bound: boolean): GateModel {
  const rest: RestPhase = !provisioned
    ? { kind: 'needs-provisioning' }
    : bound
      ? { kind: 'idle' }
      : { kind: 'unbound' };
  return { phase: rest, rest, recent: [], queue: [], readAgain: [], nextRequestId: 1 };
}
