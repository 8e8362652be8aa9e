// The gate as a pure function: (model, input) → (model, effects). No clocks, no I/O: time
// arrives inside inputs (scan.at) and as timer inputs that the runner schedules on request.

import { isVenueCode } from '../../portal-client/protocol/venue.js';
import type { ErrorCode } from '../core/errors.js';
import type { OutcomeKind } from '../core/outcome.js';
import type { Verdict } from '../core/verdict.js';
import type { GateEffect, GateInput, GateModel, GatePhase, GatePolicy, RestPhase, Scan } from './model.js';

export interface Step {
  model: GateModel;
  effects: GateEffect[];
}

const REST_KINDS = new Set<GatePhase['kind']>(['needs-provisioning', 'unbound', 'idle', 'degraded']);

export function isResting(phase: GatePhase): phase is RestPhase {
  return REST_KINDS.has(phase.kind);
}

/** The outcome a verdict gives at this venue. */
export function outcomeOfVerdict(
  verdict: Verdict,
  policy: Pick<GatePolicy, 'natPolicy' | 'vaccinationPolicy'>,
): OutcomeKind {
  switch (verdict.opinion) {
    case 'DENY':
      return 'deny';
    case 'SHOW_CODE':
      return 'show-code';
    case 'CHECK_SKM':
      return 'check-skm';
    case 'PASS': {
      const failed: Array<'deny' | 'warn'> = [];
      if (verdict.nat && !verdict.nat.valid) failed.push(policy.natPolicy);
      if (verdict.vaccination && !verdict.vaccination.complete) failed.push(policy.vaccinationPolicy);
      if (failed.includes('deny')) return 'policy-deny';
      return failed.length > 0 ? 'pass-with-notice' : 'pass';
    }
  }
}

/**
 * The outcome of a failed verification: only an authenticated "not bound" is told apart; all else,
 * a plaintext NOT_BOUND included, is a network error.
 */
export function outcomeOfPortalError(code: ErrorCode, authenticated: boolean): OutcomeKind {
  return code === 'portal.not-bound' && authenticated ? 'not-bound' : 'network-error';
}

export function transition(model: GateModel, input: GateInput, policy: GatePolicy): Step {
  return afterDrops(model, decide(model, input, policy), policy);
}

function decide(model: GateModel, input: GateInput, policy: GatePolicy): Step {
  switch (input.type) {
    case 'provisioning':
      return settle(
        model,
        input.provisioned
          ? model.rest.kind === 'needs-provisioning'
            ? { kind: 'unbound' }
            : model.rest
          : { kind: 'needs-provisioning' },
      );
    case 'binding':
      if (model.rest.kind === 'needs-provisioning') return unchanged(model);
      return settle(
        model,
        input.bound ? (model.rest.kind === 'degraded' ? model.rest : { kind: 'idle' }) : { kind: 'unbound' },
      );
    case 'portal-health':
      if (model.rest.kind !== 'idle' && model.rest.kind !== 'degraded') return unchanged(model);
      return settle(model, input.up ? { kind: 'idle' } : { kind: 'degraded' });
    case 'scan':
      return onScan(model, input.scan, policy);
    case 'read-error':
      if (!isResting(model.phase))
        return { model, effects: [{ type: 'dropped', reason: 'busy', source: input.source, cause: input.code }] };
      return show(
        model.nextRequestId,
        'read-error',
        undefined,
        input.source,
        policy,
        {
          ...model,
          nextRequestId: model.nextRequestId + 1,
        },
        input.code,
      );
    case 'verdict':
      if (model.phase.kind !== 'verifying' || model.phase.requestId !== input.requestId) return unchanged(model);
      return finishVerification(model, outcomeOfVerdict(input.verdict, policy), input.verdict, policy);
    case 'portal-error': {
      if (model.phase.kind !== 'verifying' || model.phase.requestId !== input.requestId) return unchanged(model);
      const outcome = outcomeOfPortalError(input.code, input.authenticated);
      if (outcome !== 'not-bound') return finishVerification(model, outcome, undefined, policy, input.code);
      // Unbound until the portal says otherwise: the host re-authorizes and reconciles the binding.
      const step = finishVerification({ ...model, rest: { kind: 'unbound' } }, outcome, undefined, policy, input.code);
      return { model: step.model, effects: [...step.effects, { type: 'reconcile-binding' }] };
    }
    case 'timer':
      return onTimer(model, input, policy);
    case 'bind-requested':
      return onBindRequested(model, input.mode, input.bindRequestId, policy);
    case 'bind-cancelled':
      if (
        (model.phase.kind !== 'bind-mode' && model.phase.kind !== 'binding') ||
        model.phase.bindRequestId !== input.bindRequestId
      )
        return unchanged(model);
      return {
        model: { ...model, phase: model.rest },
        effects: [
          { type: 'cancel-timer', timer: 'bind-mode' },
          { type: 'bind-finished', bindRequestId: input.bindRequestId, ok: false, code: 'gate.bind-cancelled' },
          // Replaces the looping bind-mode light, whatever the rest phase shows afterwards.
          { type: 'signal', signal: 'bind-failed' },
          ...restSignal(model.rest),
        ],
      };
    case 'bind-result': {
      if (model.phase.kind !== 'binding' || model.phase.bindRequestId !== input.bindRequestId) return unchanged(model);
      if (input.ok) {
        const rest: RestPhase = { kind: 'idle' };
        return {
          model: { ...model, phase: rest, rest },
          effects: [
            { type: 'signal', signal: 'bind-ok' },
            { type: 'bind-finished', bindRequestId: input.bindRequestId, ok: true },
          ],
        };
      }
      return {
        model: { ...model, phase: model.rest },
        effects: [
          { type: 'signal', signal: 'bind-failed' },
          { type: 'bind-finished', bindRequestId: input.bindRequestId, ok: false, code: input.code },
        ],
      };
    }
  }
}

function unchanged(model: GateModel): Step {
  return { model, effects: [] };
}

type Dropped = Extract<GateEffect, { type: 'dropped' }>;

/**
 * What becomes of input a step dropped. Every drop but a duplicate or a scan that is not a venue
 * code in bind mode (those have a signal of their own) is signalled to the person
 * (input-dropped: an overlay, it hides no verdict and leaves the relay alone), once per step.
 * The source of a scan dropped because the gate was busy with someone else's is asked to read it
 * again as soon as the gate can take a scan: a card left on the reader is read only once
 * otherwise. Not read again: a read error (it carries its cause: the reader never retries a
 * failed card by itself either), and anything dropped while a technician binds the gate (out of
 * service: a verdict right after would hide bind-ok; the busy signal told the person to retry).
 */
function afterDrops(before: GateModel, step: Step, policy: GatePolicy): Step {
  // A duplicate is silent, and a scan that is not a venue code in bind mode has a signal of its own.
  const drops = step.effects.filter(
    (e): e is Dropped => e.type === 'dropped' && e.reason !== 'duplicate' && e.reason !== 'not-venue-code',
  );
  const binding = step.model.phase.kind === 'bind-mode' || step.model.phase.kind === 'binding';
  const busy = before.phase.kind === 'verifying' || before.phase.kind === 'showing';
  let readAgain = binding ? [] : step.model.readAgain;
  for (const drop of drops) {
    const owed = busy && !binding && drop.cause === undefined;
    if (owed && !readAgain.includes(drop.source)) readAgain = [...readAgain, drop.source];
  }
  const effects: GateEffect[] =
    drops.length > 0 ? [...step.effects, { type: 'signal', signal: 'input-dropped' }] : step.effects;
  if (readAgain.length > 0 && canTakeScan(step.model, policy)) {
    for (const source of readAgain) effects.push({ type: 'read-again', source });
    readAgain = [];
  }
  if (readAgain === step.model.readAgain && effects === step.effects) return step;
  return { model: { ...step.model, readAgain }, effects };
}

/** Whether a scan arriving now would be taken: verified, queued, or answered not-bound. */
function canTakeScan(model: GateModel, policy: GatePolicy): boolean {
  const phase = model.phase;
  if (isResting(phase)) return true;
  if (phase.kind === 'verifying' || phase.kind === 'showing') {
    return policy.busyInput === 'queue' && model.queue.length < policy.queueLimit;
  }
  return false;
}

/** A new resting phase; applied at once when the gate is resting, else after the current activity. */
function settle(model: GateModel, rest: RestPhase): Step {
  if (!isResting(model.phase)) return { model: { ...model, rest }, effects: [] };
  const changed = model.phase.kind !== rest.kind;
  return { model: { ...model, phase: rest, rest }, effects: changed ? restSignal(rest) : [] };
}

/** Resting phases that have a standing signal of their own. */
function restSignal(rest: RestPhase): GateEffect[] {
  return rest.kind === 'unbound' || rest.kind === 'needs-provisioning' ? [{ type: 'signal', signal: 'not-bound' }] : [];
}

function isDuplicate(
  model: GateModel,
  scan: Scan,
  policy: GatePolicy,
): { duplicate: boolean; recent: GateModel['recent'] } {
  const recent = model.recent.filter((r) => scan.at - r.at < policy.dedupWindowMs);
  return { duplicate: recent.some((r) => r.fingerprint === scan.fingerprint), recent };
}

function onScan(model: GateModel, scan: Scan, policy: GatePolicy): Step {
  const phase = model.phase;
  if (phase.kind === 'bind-mode') {
    if (scan.payload.kind !== 'code')
      return { model, effects: [{ type: 'dropped', reason: 'bind-mode', source: scan.source }] };
    return onBindModeCode(model, phase, scan.payload.text, scan.source, policy);
  }
  if (phase.kind === 'binding') return { model, effects: [{ type: 'dropped', reason: 'busy', source: scan.source }] };

  const { duplicate, recent } = isDuplicate(model, scan, policy);
  if (duplicate)
    return { model: { ...model, recent }, effects: [{ type: 'dropped', reason: 'duplicate', source: scan.source }] };

  if (phase.kind === 'verifying' || phase.kind === 'showing') {
    if (policy.busyInput === 'drop')
      return { model: { ...model, recent }, effects: [{ type: 'dropped', reason: 'busy', source: scan.source }] };
    if (model.queue.length >= policy.queueLimit) {
      return { model: { ...model, recent }, effects: [{ type: 'dropped', reason: 'queue-full', source: scan.source }] };
    }
    return {
      model: {
        ...model,
        recent: [...recent, { fingerprint: scan.fingerprint, at: scan.at }],
        queue: [...model.queue, scan],
      },
      effects: [],
    };
  }
  if (phase.kind === 'unbound' || phase.kind === 'needs-provisioning') {
    const requestId = model.nextRequestId;
    // Not asked: the gate's own word, with the reason it has (the line tells the two apart).
    const cause = phase.kind === 'unbound' ? 'portal.not-bound' : 'config.not-provisioned';
    return show(
      requestId,
      'not-bound',
      undefined,
      scan.source,
      policy,
      { ...model, recent, nextRequestId: requestId + 1 },
      cause,
    );
  }
  return startVerifying(
    { ...model, recent: [...recent, { fingerprint: scan.fingerprint, at: scan.at }] },
    scan,
    policy,
  );
}

function startVerifying(model: GateModel, scan: Scan, policy: GatePolicy): Step {
  const requestId = model.nextRequestId;
  return {
    model: { ...model, phase: { kind: 'verifying', requestId, source: scan.source }, nextRequestId: requestId + 1 },
    effects: [
      { type: 'verify', requestId, scan },
      { type: 'start-timer', timer: 'verify', token: requestId, ms: policy.verifyDeadlineMs },
    ],
  };
}

function finishVerification(
  model: GateModel,
  outcome: OutcomeKind,
  verdict: Verdict | undefined,
  policy: GatePolicy,
  cause?: ErrorCode,
): Step {
  const phase = model.phase as Extract<GatePhase, { kind: 'verifying' }>;
  const step = show(phase.requestId, outcome, verdict, phase.source, policy, model, cause);
  return { model: step.model, effects: [{ type: 'cancel-timer', timer: 'verify' }, ...step.effects] };
}

function show(
  requestId: number,
  outcome: OutcomeKind,
  verdict: Verdict | undefined,
  source: string,
  policy: GatePolicy,
  base: GateModel,
  cause?: ErrorCode,
): Step {
  return {
    model: { ...base, phase: { kind: 'showing', requestId, outcome } },
    effects: [
      { type: 'signal', signal: outcome, verdict, requestId, source, ...(cause ? { cause } : {}) },
      { type: 'start-timer', timer: 'show', token: requestId, ms: policy.showMs },
    ],
  };
}

function onTimer(model: GateModel, input: Extract<GateInput, { type: 'timer' }>, policy: GatePolicy): Step {
  const phase = model.phase;
  if (input.timer === 'verify' && phase.kind === 'verifying' && phase.requestId === input.token) {
    // The gate's own deadline passed before any answer: the portal timed out, whatever it does later.
    return show(phase.requestId, 'network-error', undefined, phase.source, policy, model, 'portal.timeout');
  }
  if (input.timer === 'show' && phase.kind === 'showing' && phase.requestId === input.token) {
    const [next, ...queue] = model.queue;
    const rested: GateModel = { ...model, phase: model.rest, queue };
    if (next && (model.rest.kind === 'idle' || model.rest.kind === 'degraded'))
      return startVerifying(rested, next, policy);
    if (next) return onScan({ ...rested, queue }, next, { ...policy, dedupWindowMs: 0 });
    // After a not-bound answer the unbound gate's standing signal is the one just shown: once is enough.
    return { model: rested, effects: phase.outcome === 'not-bound' ? [] : restSignal(model.rest) };
  }
  if (input.timer === 'bind-notice' && phase.kind === 'bind-mode' && phase.bindRequestId === input.token) {
    return { model, effects: [{ type: 'signal', signal: 'bind-mode' }] };
  }
  if (input.timer === 'bind-mode' && phase.kind === 'bind-mode' && phase.bindRequestId === input.token) {
    return {
      model: { ...model, phase: model.rest },
      effects: [
        { type: 'signal', signal: 'bind-failed' },
        { type: 'bind-finished', bindRequestId: phase.bindRequestId, ok: false, code: 'gate.bind-timeout' },
      ],
    };
  }
  return unchanged(model);
}

/**
 * A code scanned in bind mode. Only a code of the venue-code shape is sent to the portal as the
 * venue code: a pass code (a resident who did not know the gate was in bind mode) is never bound,
 * it shows "not a venue code" for showMs, and bind mode goes on.
 */
function onBindModeCode(
  model: GateModel,
  phase: Extract<GatePhase, { kind: 'bind-mode' }>,
  text: string,
  source: string,
  policy: GatePolicy,
): Step {
  const { mode, bindRequestId } = phase;
  if (!isVenueCode(text)) {
    return {
      model,
      effects: [
        { type: 'dropped', reason: 'not-venue-code', source },
        { type: 'signal', signal: 'not-venue-code' },
        { type: 'start-timer', timer: 'bind-notice', token: bindRequestId, ms: policy.showMs },
      ],
    };
  }
  return {
    model: { ...model, phase: { kind: 'binding', mode, bindRequestId } },
    effects: [
      { type: 'cancel-timer', timer: 'bind-mode' },
      { type: 'cancel-timer', timer: 'bind-notice' },
      { type: 'bind', mode, bindRequestId, venueCode: text },
    ],
  };
}

function onBindRequested(model: GateModel, mode: 'bind' | 'rebind', bindRequestId: string, policy: GatePolicy): Step {
  if (model.rest.kind === 'needs-provisioning') {
    return { model, effects: [{ type: 'bind-finished', bindRequestId, ok: false, code: 'config.not-provisioned' }] };
  }
  const effects: GateEffect[] = [];
  const phase = model.phase;
  if (phase.kind === 'bind-mode' || phase.kind === 'binding') {
    effects.push({ type: 'bind-finished', bindRequestId: phase.bindRequestId, ok: false, code: 'gate.bind-cancelled' });
  }
  // A technician's bind preempts whatever the gate was doing: it is out of service while binding.
  effects.push(
    { type: 'cancel-timer', timer: 'verify' },
    { type: 'cancel-timer', timer: 'show' },
    { type: 'signal', signal: 'bind-mode' },
    { type: 'start-timer', timer: 'bind-mode', token: bindRequestId, ms: policy.bindModeMs },
  );
  // Queued scans are not verified now: dropped, and no longer counted as seen (presented again
  // after binding, a card is no duplicate).
  for (const queued of model.queue) effects.push({ type: 'dropped', reason: 'bind-mode', source: queued.source });
  const recent = model.recent.filter((r) => !model.queue.some((q) => q.fingerprint === r.fingerprint));
  return { model: { ...model, phase: { kind: 'bind-mode', mode, bindRequestId }, queue: [], recent }, effects };
}
