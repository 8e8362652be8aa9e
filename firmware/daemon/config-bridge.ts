// Config → gate: the runner's policy from the gate.* settings and the timeout table, and what a
// change the CLI makes while the daemon runs means for the gate. The daemon applies the answer.

import type { ConfigKey } from '../config/schema.js';
import type { ConfigStore } from '../config/store.js';
import type { TimeoutTable } from '../core/timeouts.js';
import type { GatePolicy } from '../gate/model.js';

export function gatePolicyFromConfig(store: ConfigStore, timeouts: TimeoutTable): GatePolicy {
  return {
    busyInput: store.get('gate.busyInput'),
    queueLimit: store.get('gate.queueLimit'),
    dedupWindowMs: store.get('gate.dedupWindowMs'),
    showMs: store.get('gate.showMs'),
    verifyDeadlineMs: timeouts.verifyDeadlineMs,
    bindModeMs: timeouts.bindModeMs,
    natPolicy: store.get('gate.natPolicy'),
    vaccinationPolicy: store.get('gate.vaccinationPolicy'),
  };
}

/** What changed keys ask of a running daemon. */
export interface ConfigChange {
  /** gate.* and timeouts: rebuild the timeout table and the gate policy. */
  policyKeys: ConfigKey[];
  /** identity.*, portal.*, vendor.*: a new portal client (or none, once unprovisioned). */
  identity: boolean;
  /** Any binding.* key: the gate may be bound or unbound now. */
  binding: boolean;
  /** display.* and drivers.*: opened at start only. */
  restartRequired: boolean;
  /** Which of the keys those are. */
  restartKeys: ConfigKey[];
}

const IDENTITY_KEYS = /^(identity|portal|vendor)\./;

/** A key whose new value a running daemon takes only at its next start. */
export function needsRestart(key: string): boolean {
  return key.startsWith('display.') || key.startsWith('drivers.');
}

export function configChangeOf(keys: readonly ConfigKey[]): ConfigChange {
  return {
    policyKeys: keys.filter((k) => k.startsWith('gate.') || k === 'timeouts'),
    identity: keys.some((k) => IDENTITY_KEYS.test(k)),
    binding: keys.some((k) => k.startsWith('binding.')),
    restartRequired: keys.some(needsRestart),
    restartKeys: keys.filter(needsRestart),
  };
}
