import { describe, expect, it } from 'vitest';
import {
  DEVICE_FAULTS,
  type FaultEvent,
  faultSchedule,
  NETWORK_FAULTS,
  PORTAL_FAULTS,
  PROCESS_FAULTS,
  type ScheduleOptions,
} from '../../../scripts/soak/fault-schedule.js';

const base: ScheduleOptions = {
  seed: 13,
  durationMs: 500_000,
  gates: 40,
  warmupMs: 30_000,
  quietMs: 30_000,
  network: true,
  natIdleMs: 20_000,
  idleGapMs: 45_000,
  protectedGates: [0],
};

const overlaps = (a: FaultEvent, b: FaultEvent) => a.atMs < b.atMs + b.durationMs && b.atMs < a.atMs + a.durationMs;

describe('fault schedule', () => {
  it('is the same for the same seed and differs for another', () => {
    expect(faultSchedule(base)).toEqual(faultSchedule(base));
    expect(faultSchedule({ ...base, seed: 14 })).not.toEqual(faultSchedule(base));
  });

  it('keeps the warm-up and the quiet end free of faults, in time order, ids in order', () => {
    const s = faultSchedule(base);
    expect(s.length).toBeGreaterThan(20);
    for (const [i, e] of s.entries()) {
      expect(e.id).toBe(i);
      expect(e.atMs).toBeGreaterThanOrEqual(base.warmupMs);
      expect(e.atMs + e.durationMs).toBeLessThanOrEqual(base.durationMs - base.quietMs);
      if (i > 0) expect(e.atMs).toBeGreaterThanOrEqual(s[i - 1].atMs);
    }
  });

  it('has one portal or network fault at a time, and never two faults at once on one gate', () => {
    const s = faultSchedule(base);
    const shared = s.filter((e) => e.gate === null);
    for (let i = 1; i < shared.length; i++) expect(overlaps(shared[i - 1], shared[i])).toBe(false);
    const byGate = new Map<number, FaultEvent[]>();
    for (const e of s.filter((x) => x.gate !== null)) byGate.set(e.gate!, [...(byGate.get(e.gate!) ?? []), e]);
    for (const events of byGate.values())
      for (let i = 1; i < events.length; i++) expect(overlaps(events[i - 1], events[i])).toBe(false);
  });

  it('never gives a protected gate a device or process fault', () => {
    expect(
      faultSchedule({ ...base, gates: 3, protectedGates: [0, 2] }).every((e) => e.gate === null || e.gate === 1),
    ).toBe(true);
  });

  it('injects every kind in a default-length run, with the families right', () => {
    const s = faultSchedule(base);
    const kinds = new Set(s.map((e) => e.kind));
    for (const k of [...PORTAL_FAULTS, ...NETWORK_FAULTS, ...DEVICE_FAULTS, ...PROCESS_FAULTS])
      expect(kinds).toContain(k);
    for (const e of s) {
      const family = (PORTAL_FAULTS as readonly string[]).includes(e.kind)
        ? 'portal'
        : (NETWORK_FAULTS as readonly string[]).includes(e.kind)
          ? 'network'
          : (DEVICE_FAULTS as readonly string[]).includes(e.kind)
            ? 'device'
            : 'process';
      expect(e.family).toBe(family);
      expect(e.gate === null).toBe(family === 'portal' || family === 'network');
    }
  });

  it('plans no network fault without the namespaces', () => {
    const s = faultSchedule({ ...base, network: false });
    expect(s.some((e) => e.family === 'network')).toBe(false);
    expect(s.some((e) => e.family === 'portal')).toBe(true);
  });

  it('jumps the portal clock by five minutes either way and adds a latency a verification can outlast', () => {
    const s = faultSchedule({ ...base, durationMs: 2_000_000 });
    const jumps = s.filter((e) => e.kind === 'portal-clock-jump').map((e) => e.amountMs);
    expect(jumps.length).toBeGreaterThan(1);
    for (const j of jumps) expect(Math.abs(j!)).toBe(300_000);
    for (const e of s.filter((x) => x.kind === 'portal-latency')) {
      expect(e.amountMs).toBeGreaterThanOrEqual(800);
      expect(e.amountMs).toBeLessThanOrEqual(4_500);
    }
  });

  it('leaves the NAT test room for its idle gap', () => {
    for (const e of faultSchedule(base).filter((x) => x.kind === 'net-nat-idle'))
      expect(e.durationMs).toBeGreaterThan(base.idleGapMs);
  });

  it('plans nothing when the run is only warm-up and quiet end', () => {
    expect(faultSchedule({ ...base, durationMs: 60_000 })).toEqual([]);
  });
});
