import { describe, expect, it } from 'vitest';
import {
  accountScans,
  LATE_DECISION_MS,
  type PortalDecision,
  type ScanRecord,
} from '../../../scripts/soak/outcome-accounting.js';

let nextId = 0;
function scan(over: Partial<ScanRecord> = {}): ScanRecord {
  return {
    id: nextId++,
    gate: 0,
    kind: 'code',
    keyword: 'green',
    key: `k${nextId}`,
    expected: 'pass',
    writtenAt: 1_000,
    endedAt: 1_210,
    ending: 'verdict',
    outcome: 'pass',
    cause: null,
    totalMs: 205,
    verdictMs: 5,
    daemonBudgetMs: 3_700,
    soakBudgetMs: 4_700,
    sourceMismatch: false,
    deviceFault: false,
    ...over,
  };
}
const decision = (s: ScanRecord, over: Partial<PortalDecision> = {}): PortalDecision => ({
  gate: s.gate,
  key: s.key,
  outcome: s.expected,
  tampered: false,
  at: s.writtenAt + 5,
  ...over,
});

describe('scan-for-scan accounting', () => {
  it('a clean run: every outcome as expected and as the portal decided', () => {
    const scans = [scan(), scan({ keyword: 'red', expected: 'deny', outcome: 'deny' })];
    const a = accountScans(
      scans,
      scans.map((s) => decision(s)),
    );
    expect(a).toMatchObject({
      scans: 2,
      undefinedOutcomes: 0,
      deadlineMisses: 0,
      mismatches: 0,
      disagreements: 0,
      withoutDecision: 0,
      tamperedOutcomes: 0,
      unexpected: 0,
      foreignDecisions: 0,
    });
    expect(a.outcomes).toEqual({ pass: 1, deny: 1 });
  });

  it('an outcome other than the keyword’s, or than the portal’s decision, is counted', () => {
    const wrong = scan({ outcome: 'deny' });
    const a = accountScans([wrong], [decision(wrong, { outcome: 'pass' })]);
    expect(a.mismatches).toBe(1);
    expect(a.disagreements).toBe(1);
    expect(a.problems.map((p) => p.id)).toContain(wrong.id);
  });

  it('a verdict the portal never decided, or decided with a wrong MAC, is a finding', () => {
    const orphan = scan();
    const tampered = scan();
    const a = accountScans([orphan, tampered], [decision(tampered, { tampered: true })]);
    expect(a.withoutDecision).toBe(1);
    expect(a.tamperedOutcomes).toBe(1);
  });

  it('a decision after the outcome was shown cannot be that outcome’s', () => {
    const s = scan();
    expect(accountScans([s], [decision(s, { at: s.endedAt! + 100 })]).withoutDecision).toBe(1);
  });

  it('network errors by what the portal did: never received, wrong MAC, answer lost or late', () => {
    const ne = (over: Partial<ScanRecord> = {}) => scan({ outcome: 'network-error', cause: 'portal.timeout', ...over });
    const never = ne();
    const mac = ne();
    const late = ne();
    const tooLate = ne();
    const a = accountScans(
      [never, mac, late, tooLate],
      [
        decision(mac, { tampered: true }),
        decision(late, { at: late.endedAt! + 4_000 }),
        decision(tooLate, { at: tooLate.endedAt! + LATE_DECISION_MS + 1 }),
      ],
    );
    expect(a.networkErrors).toEqual({ neverReceived: 2, tamperedAnswer: 1, answerLostOrLate: 1 });
    expect(a.foreignDecisions).toBe(1);
    expect(a.mismatches).toBe(0);
  });

  it('a repeated key on one gate: a late decision of a timed-out scan never takes the next scan’s', () => {
    const first = scan({ key: 'same', writtenAt: 1_000, endedAt: 4_000, outcome: 'network-error' });
    const second = scan({ key: 'same', writtenAt: 4_300, endedAt: 4_600 });
    const a = accountScans([first, second], [decision(second, { at: 4_400 })]);
    expect(a.withoutDecision).toBe(0);
    expect(a.networkErrors.neverReceived).toBe(1);
  });

  it('the same key on two gates is two scans (venues tell gates apart)', () => {
    const g0 = scan({ key: 'card', gate: 0 });
    const g1 = scan({ key: 'card', gate: 1 });
    const a = accountScans([g0, g1], [decision(g0), decision(g1)]);
    expect(a.withoutDecision).toBe(0);
    expect(a.foreignDecisions).toBe(0);
  });

  it('no outcome is undefined; a kill by the soak is interrupted, not undefined', () => {
    const lost = scan({ ending: 'no-outcome', outcome: null, endedAt: null, totalMs: null });
    const killed = scan({ ending: 'interrupted', outcome: null, endedAt: null, totalMs: null });
    const a = accountScans([lost, killed], []);
    expect(a.undefinedOutcomes).toBe(1);
    expect(a.interrupted).toBe(1);
  });

  it('deadline misses by the daemon’s or the soak’s budget', () => {
    const slowDaemon = scan({ totalMs: 3_800 });
    const slowLine = scan({ endedAt: 1_000 + 4_800 });
    const a = accountScans([slowDaemon, slowLine, scan()], []);
    expect(a.deadlineMisses).toBe(2);
  });

  it('unexpected: a read error without a device fault, not-bound, a dropped scan, the other input', () => {
    const a = accountScans(
      [
        scan({ outcome: 'read-error' }),
        scan({ outcome: 'read-error', deviceFault: true }),
        scan({ outcome: 'not-bound' }),
        scan({ ending: 'dropped', outcome: null }),
        scan({ sourceMismatch: true }),
      ],
      [],
    );
    expect(a.unexpected).toBe(4);
  });
});
