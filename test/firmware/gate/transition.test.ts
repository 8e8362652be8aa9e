import { describe, expect, it } from 'vitest';
import { initialModel } from '../../../firmware/gate/model.js';
import { outcomeOfVerdict, transition } from '../../../firmware/gate/transition.js';

import { INPUTS, idle, pass, policy, scan } from './transition-fixtures.js';

describe('gate effects', () => {
  it('a scan in idle asks the portal once and arms the verify deadline', () => {
    const step = transition(idle, INPUTS['scan-code'], policy);
    expect(step.effects).toEqual([
      { type: 'verify', requestId: 1, scan: scan('c1') },
      { type: 'start-timer', timer: 'verify', token: 1, ms: 3000 },
    ]);
  });

  it('the verify deadline shows network-error, and a late verdict is ignored', () => {
    const a = transition(idle, INPUTS['scan-code'], policy);
    const b = transition(a.model, { type: 'timer', timer: 'verify', token: 1 }, policy);
    expect(b.effects[0]).toMatchObject({ type: 'signal', signal: 'network-error', requestId: 1 });
    const c = transition(b.model, { type: 'verdict', requestId: 1, verdict: pass }, policy);
    expect(c.effects).toEqual([]);
    expect(c.model.phase).toEqual(b.model.phase);
  });

  it('every portal error but not-bound is a network error with its cause; not-bound unbinds and reconciles', () => {
    const codes = [
      'portal.timeout',
      'portal.unreachable',
      'portal.auth-failed',
      'portal.bad-response',
      'portal.rejected',
    ] as const;
    for (const code of codes) {
      const a = transition(idle, INPUTS['scan-code'], policy);
      const b = transition(a.model, { type: 'portal-error', requestId: 1, code, authenticated: false }, policy);
      expect(b.effects).toContainEqual(
        expect.objectContaining({ type: 'signal', signal: 'network-error', cause: code }),
      );
    }
    const a = transition(idle, INPUTS['scan-code'], policy);
    const b = transition(a.model, INPUTS['error-not-bound'], policy);
    expect(b.effects).toContainEqual(expect.objectContaining({ type: 'signal', signal: 'not-bound' }));
    expect(b.effects).toContainEqual({ type: 'reconcile-binding' });
    const c = transition(b.model, { type: 'timer', timer: 'show', token: 1 }, policy);
    expect(c.model.phase.kind).toBe('unbound');
  });

  it('a plaintext NOT_BOUND is a network error and leaves the gate bound', () => {
    const a = transition(idle, INPUTS['scan-code'], policy);
    const b = transition(a.model, INPUTS['error-not-bound-plaintext'], policy);
    expect(b.effects).toContainEqual(
      expect.objectContaining({ type: 'signal', signal: 'network-error', cause: 'portal.not-bound' }),
    );
    expect(b.effects).not.toContainEqual({ type: 'reconcile-binding' });
    const c = transition(b.model, { type: 'timer', timer: 'show', token: 1 }, policy);
    expect(c.model.phase.kind).toBe('idle');
  });

  it('the gate deadline and read errors carry their cause', () => {
    const a = transition(idle, INPUTS['scan-code'], policy);
    const b = transition(a.model, INPUTS['timer-verify'], policy);
    expect(b.effects[0]).toMatchObject({ signal: 'network-error', cause: 'portal.timeout' });
    const r = transition(idle, INPUTS['read-error'], policy);
    expect(r.effects[0]).toMatchObject({ signal: 'read-error', cause: 'driver.card-invalid' });
  });

  it('the same code within the window is verified once; after the window again', () => {
    const a = transition(idle, { type: 'scan', scan: scan('same', 1000) }, policy);
    const b = transition(a.model, { type: 'verdict', requestId: 1, verdict: pass }, policy);
    const c = transition(b.model, { type: 'timer', timer: 'show', token: 1 }, policy);
    const d = transition(c.model, { type: 'scan', scan: scan('same', 3500) }, policy);
    expect(d.effects).toEqual([{ type: 'dropped', reason: 'duplicate', source: 'serial' }]);
    const e = transition(d.model, { type: 'scan', scan: scan('same', 4001) }, policy);
    expect(e.effects[0]).toMatchObject({ type: 'verify' });
  });

  it('queue policy verifies a scan that arrived while busy after the show ends', () => {
    const q = { ...policy, busyInput: 'queue' as const };
    const a = transition(idle, { type: 'scan', scan: scan('one', 0) }, q);
    const b = transition(a.model, { type: 'scan', scan: scan('two', 10) }, q);
    expect(b.effects).toEqual([]);
    const c = transition(b.model, { type: 'scan', scan: scan('three', 20) }, q);
    expect(c.effects).toEqual([
      { type: 'dropped', reason: 'queue-full', source: 'serial' },
      { type: 'signal', signal: 'input-dropped' },
    ]);
    const d = transition(c.model, { type: 'verdict', requestId: 1, verdict: pass }, q);
    const e = transition(d.model, { type: 'timer', timer: 'show', token: 1 }, q);
    expect(e.effects[0]).toEqual({ type: 'verify', requestId: 2, scan: scan('two', 10) });
  });

  it('venue policy: failed NAT or vaccination denies by default, warns when configured', () => {
    const nat = { ...pass, nat: { validityHours: 48 as const, valid: false } };
    const vac = { ...pass, vaccination: { dosesRequired: 3, complete: false } };
    expect(outcomeOfVerdict(nat, policy)).toBe('policy-deny');
    expect(outcomeOfVerdict(vac, policy)).toBe('policy-deny');
    expect(outcomeOfVerdict(nat, { ...policy, natPolicy: 'warn' })).toBe('pass-with-notice');
    expect(outcomeOfVerdict(vac, { ...policy, natPolicy: 'warn', vaccinationPolicy: 'warn' })).toBe('pass-with-notice');
    expect(outcomeOfVerdict({ ...pass, nat: { validityHours: 24, valid: true } }, policy)).toBe('pass');
    expect(outcomeOfVerdict({ ...pass, opinion: 'DENY' }, policy)).toBe('deny');
    expect(outcomeOfVerdict({ opinion: 'SHOW_CODE', maskedName: null, maskedId: null }, policy)).toBe('show-code');
    expect(outcomeOfVerdict({ ...pass, opinion: 'CHECK_SKM' }, policy)).toBe('check-skm');
  });

  it('bind mode takes the next scanned code as the venue code and reports the result', () => {
    const a = transition(idle, { type: 'bind-requested', mode: 'rebind', bindRequestId: 'r1' }, policy);
    expect(a.effects).toContainEqual({ type: 'signal', signal: 'bind-mode' });
    const b = transition(a.model, { type: 'scan', scan: scan('VENUE-9') }, policy);
    expect(b.effects).toContainEqual({ type: 'bind', mode: 'rebind', bindRequestId: 'r1', venueCode: 'VENUE-9' });
    const c = transition(b.model, { type: 'bind-result', bindRequestId: 'r1', ok: true }, policy);
    expect(c.effects).toContainEqual({ type: 'bind-finished', bindRequestId: 'r1', ok: true });
    expect(c.model.phase.kind).toBe('idle');
  });

  it('bind mode expires and says so; an unprovisioned gate refuses to bind', () => {
    const a = transition(idle, { type: 'bind-requested', mode: 'bind', bindRequestId: 'r1' }, policy);
    const b = transition(a.model, { type: 'timer', timer: 'bind-mode', token: 'r1' }, policy);
    expect(b.effects).toContainEqual({
      type: 'bind-finished',
      bindRequestId: 'r1',
      ok: false,
      code: 'gate.bind-timeout',
    });
    const c = transition(
      initialModel(false, false),
      { type: 'bind-requested', mode: 'bind', bindRequestId: 'r2' },
      policy,
    );
    expect(c.effects).toEqual([
      { type: 'bind-finished', bindRequestId: 'r2', ok: false, code: 'config.not-provisioned' },
    ]);
  });

  it('bind mode sends only a venue-code-shaped code to the portal; a pass code shows "not a venue code"', () => {
    const a = transition(idle, { type: 'bind-requested', mode: 'bind', bindRequestId: 'r1' }, policy);
    for (const text of ['PGC1.AbC-12_x', 'https://example.org/v?c=1', 'WX T 001', 'x'.repeat(65), '']) {
      const b = transition(a.model, { type: 'scan', scan: scan(text) }, policy);
      expect(b.model).toEqual(a.model); // still waiting for the venue code
      expect(b.effects).toEqual([
        { type: 'dropped', reason: 'not-venue-code', source: 'serial' },
        { type: 'signal', signal: 'not-venue-code' },
        { type: 'start-timer', timer: 'bind-notice', token: 'r1', ms: policy.showMs },
      ]);
      expect(b.effects.some((e) => e.type === 'bind')).toBe(false);
    }
    // Once the notice has shown, the bind-mode light is back; a stale notice timer does nothing.
    const notice = transition(a.model, { type: 'timer', timer: 'bind-notice', token: 'r1' }, policy);
    expect(notice.effects).toEqual([{ type: 'signal', signal: 'bind-mode' }]);
    expect(transition(a.model, { type: 'timer', timer: 'bind-notice', token: 'r0' }, policy).effects).toEqual([]);
    const c = transition(a.model, { type: 'scan', scan: scan('wx-transport-nat48-vax3') }, policy);
    expect(c.model.phase.kind).toBe('binding');
    expect(c.effects).toContainEqual({
      type: 'bind',
      mode: 'bind',
      bindRequestId: 'r1',
      venueCode: 'wx-transport-nat48-vax3',
    });
    const d = transition(c.model, { type: 'timer', timer: 'bind-notice', token: 'r1' }, policy);
    expect(d.effects).toEqual([]);
  });

  it('an unbound gate shows not-bound without asking the portal', () => {
    const step = transition(initialModel(true, false), INPUTS['scan-code'], policy);
    expect(step.effects.some((e) => e.type === 'verify')).toBe(false);
    expect(step.effects[0]).toMatchObject({ type: 'signal', signal: 'not-bound' });
  });

  it('when that not-bound answer ends, the unbound rest does not show not-bound a second time', () => {
    const a = transition(initialModel(true, false), INPUTS['scan-code'], policy);
    expect(a.model.phase).toMatchObject({ kind: 'showing', outcome: 'not-bound' });
    const token = (a.model.phase as { requestId: number }).requestId;
    const b = transition(a.model, { type: 'timer', timer: 'show', token }, policy);
    expect(b.model.phase.kind).toBe('unbound');
    expect(b.effects.filter((e) => e.type === 'signal')).toEqual([]);
  });
});
