// Input the gate cannot take: every drop but a duplicate is signalled to the person, and its
// source is asked to read again once the gate can take input (a card left on the reader is read
// only once by the reader itself).
import { describe, expect, it } from 'vitest';
import type { Verdict } from '../../../firmware/core/verdict.js';
import {
  type GateInput,
  type GateModel,
  type GatePolicy,
  initialModel,
  type Scan,
} from '../../../firmware/gate/model.js';
import { type Step, transition } from '../../../firmware/gate/transition.js';
import { TEST_GATE_POLICY } from '../../support/gate-policy.js';

const policy: GatePolicy = { ...TEST_GATE_POLICY, busyInput: 'queue' };
const dropping: GatePolicy = { ...TEST_GATE_POLICY, busyInput: 'drop' };
const pass: Verdict = { opinion: 'PASS', maskedName: '*a', maskedId: '1****************2' };

const scan = (text: string, source = 'scanner', at = 10_000): Scan => ({
  source,
  payload: { kind: 'code', text },
  fingerprint: `fp-${text}`,
  at,
  arrivedAt: at,
});

/** Feeds the inputs in turn; returns every step. */
function run(model: GateModel, p: GatePolicy, ...inputs: GateInput[]): Step[] {
  const steps: Step[] = [];
  let current = model;
  for (const input of inputs) {
    const step = transition(current, input, p);
    steps.push(step);
    current = step.model;
  }
  return steps;
}

const DROP_SIGNAL = { type: 'signal', signal: 'input-dropped' };

/** Queue policy, limit 1: one code verifying, one queued, then a card that finds the queue full. */
const QUEUE_FULL_FOR_A_CARD: GateInput[] = [
  { type: 'scan', scan: scan('one') },
  { type: 'scan', scan: scan('two') },
  { type: 'scan', scan: scan('card', 'cards') },
];

describe('dropped input is signalled', () => {
  it('queue full: the dropped scan gets the input-dropped signal (no request id: no verdict line)', () => {
    const [, , full] = run(initialModel(true, true), policy, ...QUEUE_FULL_FOR_A_CARD);
    expect(full.effects).toEqual([{ type: 'dropped', reason: 'queue-full', source: 'cards' }, DROP_SIGNAL]);
  });

  it('busy (drop policy), while verifying and while showing', () => {
    const [, verifying, , showing] = run(
      initialModel(true, true),
      dropping,
      { type: 'scan', scan: scan('one') },
      { type: 'scan', scan: scan('two') },
      { type: 'verdict', requestId: 1, verdict: pass },
      { type: 'scan', scan: scan('three') },
    );
    expect(verifying.effects).toEqual([{ type: 'dropped', reason: 'busy', source: 'scanner' }, DROP_SIGNAL]);
    expect(showing.effects).toEqual([{ type: 'dropped', reason: 'busy', source: 'scanner' }, DROP_SIGNAL]);
  });

  it('a read error while busy is dropped with its cause, and signalled', () => {
    const [, step] = run(
      initialModel(true, true),
      policy,
      { type: 'scan', scan: scan('one') },
      { type: 'read-error', source: 'cards', code: 'driver.timeout', at: 10_000, arrivedAt: 5400 },
    );
    expect(step.effects).toEqual([
      { type: 'dropped', reason: 'busy', source: 'cards', cause: 'driver.timeout' },
      DROP_SIGNAL,
    ]);
  });

  it('a card in bind mode is dropped and signalled; the bind-mode light is not replaced', () => {
    const [, step] = run(
      initialModel(true, true),
      policy,
      { type: 'bind-requested', mode: 'bind', bindRequestId: 'b1' },
      {
        type: 'scan',
        scan: { ...scan('card'), payload: { kind: 'card', card: { cardType: 'resident', name: 'x', idNumber: 'y' } } },
      },
    );
    expect(step.effects).toEqual([{ type: 'dropped', reason: 'bind-mode', source: 'scanner' }, DROP_SIGNAL]);
    expect(step.model.phase.kind).toBe('bind-mode');
  });

  it('a duplicate of a code just verified is dropped silently: no signal, no read-again', () => {
    const steps = run(
      initialModel(true, true),
      policy,
      { type: 'scan', scan: scan('same') },
      { type: 'scan', scan: scan('same', 'scanner', 10_100) },
      { type: 'verdict', requestId: 1, verdict: pass },
      { type: 'timer', timer: 'show', token: 1 },
    );
    expect(steps[1].effects).toEqual([{ type: 'dropped', reason: 'duplicate', source: 'scanner' }]);
    expect(steps.flatMap((s) => s.effects).filter((e) => e.type === 'read-again')).toEqual([]);
  });

  it('queued inputs discarded by a bind request are dropped: signalled, not read again, no duplicates later', () => {
    const steps = run(
      initialModel(true, true),
      policy,
      { type: 'scan', scan: scan('one') },
      { type: 'scan', scan: scan('two', 'cards') },
      { type: 'bind-requested', mode: 'bind', bindRequestId: 'b1' },
      { type: 'bind-cancelled', bindRequestId: 'b1' },
    );
    expect(steps[2].effects).toContainEqual({ type: 'dropped', reason: 'bind-mode', source: 'cards' });
    expect(steps[2].effects).toContainEqual(DROP_SIGNAL);
    expect(steps.flatMap((step) => step.effects).filter((e) => e.type === 'read-again')).toEqual([]);
    // Presented again, the same card is no duplicate: it was never verified.
    const again = transition(steps[3].model, { type: 'scan', scan: scan('two', 'cards', 10_500) }, policy);
    expect(again.effects[0]).toMatchObject({ type: 'verify', scan: { source: 'cards' } });
  });
});

describe('a dropped input is read again once the gate can take it', () => {
  it('queue full: once the queue has room, the source is asked to read again (once)', () => {
    const steps = run(
      initialModel(true, true),
      policy,
      ...QUEUE_FULL_FOR_A_CARD,
      { type: 'verdict', requestId: 1, verdict: pass },
      { type: 'timer', timer: 'show', token: 1 },
    );
    // Showing: the queue is still full, nobody is asked yet.
    expect(steps[3].effects.some((e) => e.type === 'read-again')).toBe(false);
    // The queued scan is verified now; the queue has room for the card.
    expect(steps[4].effects[0]).toMatchObject({ type: 'verify', scan: { fingerprint: 'fp-two' } });
    expect(steps[4].effects).toContainEqual({ type: 'read-again', source: 'cards' });
    // The card read again is queued, not dropped, and not taken for a duplicate.
    const again = transition(steps[4].model, { type: 'scan', scan: scan('card', 'cards', 12_600) }, policy);
    expect(again.effects).toEqual([]);
    expect(again.model.queue.map((s) => s.source)).toEqual(['cards']);
    expect(again.model.readAgain).toEqual([]);
  });

  it('drop policy: once the gate rests again', () => {
    const steps = run(
      initialModel(true, true),
      dropping,
      { type: 'scan', scan: scan('one') },
      { type: 'scan', scan: scan('card', 'cards') },
      { type: 'scan', scan: scan('other', 'cards') },
      { type: 'verdict', requestId: 1, verdict: pass },
      { type: 'timer', timer: 'show', token: 1 },
    );
    expect(steps[3].effects.some((e) => e.type === 'read-again')).toBe(false);
    expect(steps[4].model.phase.kind).toBe('idle');
    // One request per source, however many of its inputs were dropped.
    expect(steps[4].effects).toEqual([{ type: 'read-again', source: 'cards' }]);
  });

  it('a dropped read error is not read again: the reader never retries a failed card by itself either', () => {
    const steps = run(
      initialModel(true, true),
      dropping,
      { type: 'scan', scan: scan('one') },
      { type: 'read-error', source: 'cards', code: 'driver.card-status', at: 10_000, arrivedAt: 10_000 },
      { type: 'verdict', requestId: 1, verdict: pass },
      { type: 'timer', timer: 'show', token: 1 },
    );
    expect(steps.flatMap((s) => s.effects).filter((e) => e.type === 'read-again')).toEqual([]);
  });

  it('while a technician binds, dropped input is signalled but not read again (bind-ok stays in view)', () => {
    const steps = run(
      initialModel(true, true),
      policy,
      { type: 'bind-requested', mode: 'bind', bindRequestId: 'b1' },
      { type: 'scan', scan: scan('VENUE-1') },
      { type: 'scan', scan: scan('late', 'cards') },
      { type: 'bind-result', bindRequestId: 'b1', ok: true },
    );
    expect(steps[2].effects).toEqual([{ type: 'dropped', reason: 'busy', source: 'cards' }, DROP_SIGNAL]);
    expect(steps[3].effects).toEqual([
      { type: 'signal', signal: 'bind-ok' },
      { type: 'bind-finished', bindRequestId: 'b1', ok: true },
    ]);
  });

  it('a bind request forgets the re-reads owed from before it', () => {
    const steps = run(
      initialModel(true, true),
      policy,
      ...QUEUE_FULL_FOR_A_CARD,
      { type: 'bind-requested', mode: 'bind', bindRequestId: 'b1' },
      { type: 'bind-cancelled', bindRequestId: 'b1' },
    );
    expect(steps[2].model.readAgain).toEqual(['cards']);
    expect(steps[3].model.readAgain).toEqual([]);
    expect(steps.flatMap((step) => step.effects).filter((e) => e.type === 'read-again')).toEqual([]);
  });
});
