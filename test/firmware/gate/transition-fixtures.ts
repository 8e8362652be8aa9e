// Shared inputs of the transition suites: a policy, a model in every phase, one input of each kind.
import type { Verdict } from '../../../firmware/core/verdict.js';
import {
  type GateInput,
  type GateModel,
  type GatePhase,
  type GatePolicy,
  initialModel,
  type Scan,
} from '../../../firmware/gate/model.js';
import { TEST_GATE_POLICY } from '../../support/gate-policy.js';

export const policy: GatePolicy = TEST_GATE_POLICY;

export const idle = initialModel(true, true);
export const withPhase = (phase: GatePhase): GateModel => ({ ...idle, phase, nextRequestId: 2 });

export const PHASES: Record<GatePhase['kind'], GateModel> = {
  'needs-provisioning': initialModel(false, false),
  unbound: initialModel(true, false),
  idle,
  degraded: { ...idle, phase: { kind: 'degraded' }, rest: { kind: 'degraded' } },
  verifying: withPhase({ kind: 'verifying', requestId: 1, source: 'serial' }),
  showing: withPhase({ kind: 'showing', requestId: 1, outcome: 'pass' }),
  'bind-mode': withPhase({ kind: 'bind-mode', mode: 'bind', bindRequestId: 'b1' }),
  binding: withPhase({ kind: 'binding', mode: 'bind', bindRequestId: 'b1' }),
};

export const scan = (text: string, at = 10_000, kind: 'code' | 'card' = 'code'): Scan => ({
  source: 'serial',
  payload: kind === 'code' ? { kind, text } : { kind, card: { cardType: 'resident', name: 'x', idNumber: text } },
  fingerprint: `fp-${text}`,
  at,
  arrivedAt: at,
});
export const pass: Verdict = { opinion: 'PASS', maskedName: '*a', maskedId: '1****************2' };

export const INPUTS: Record<string, GateInput> = {
  'scan-code': { type: 'scan', scan: scan('c1') },
  'scan-card': { type: 'scan', scan: scan('k1', 10_000, 'card') },
  'read-error': { type: 'read-error', source: 'idcard', code: 'driver.card-invalid', at: 10_000, arrivedAt: 10_000 },
  'verdict-current': { type: 'verdict', requestId: 1, verdict: pass },
  'verdict-stale': { type: 'verdict', requestId: 99, verdict: pass },
  'error-timeout': { type: 'portal-error', requestId: 1, code: 'portal.timeout', authenticated: false },
  'error-not-bound': { type: 'portal-error', requestId: 1, code: 'portal.not-bound', authenticated: true },
  'error-not-bound-plaintext': { type: 'portal-error', requestId: 1, code: 'portal.not-bound', authenticated: false },
  'timer-verify': { type: 'timer', timer: 'verify', token: 1 },
  'timer-show': { type: 'timer', timer: 'show', token: 1 },
  'timer-bind': { type: 'timer', timer: 'bind-mode', token: 'b1' },
  'timer-stale': { type: 'timer', timer: 'verify', token: 99 },
  deprovisioned: { type: 'provisioning', provisioned: false },
  provisioned: { type: 'provisioning', provisioned: true },
  bound: { type: 'binding', bound: true },
  unbound: { type: 'binding', bound: false },
  'portal-down': { type: 'portal-health', up: false },
  'portal-up': { type: 'portal-health', up: true },
  'bind-requested': { type: 'bind-requested', mode: 'rebind', bindRequestId: 'b2' },
  'bind-cancelled': { type: 'bind-cancelled', bindRequestId: 'b1' },
  'bind-ok': { type: 'bind-result', bindRequestId: 'b1', ok: true },
  'bind-failed': { type: 'bind-result', bindRequestId: 'b1', ok: false, code: 'portal.venue-unknown' },
};

// Expected phase after each input, per phase. Columns follow INPUTS' order.
