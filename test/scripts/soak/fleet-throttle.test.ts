import { describe, expect, it } from 'vitest';
import {
  FleetThrottle,
  LATENCY_HIGH_MS,
  LATENCY_LOW_MS,
  nextActiveGates,
} from '../../../scripts/soak/fleet-throttle.js';

describe('fleet throttle', () => {
  const bounds = { min: 4, max: 64 };

  it('grows by a 16th of the fleet a second while the daemons get a CPU at once, shrinks by a tenth when they wait', () => {
    expect(nextActiveGates(16, LATENCY_LOW_MS - 1, bounds)).toBe(20);
    expect(nextActiveGates(63, 0.1, bounds)).toBe(64);
    expect(nextActiveGates(40, LATENCY_HIGH_MS + 1, bounds)).toBe(36);
    expect(nextActiveGates(4, 100, bounds)).toBe(4);
    expect(nextActiveGates(30, (LATENCY_LOW_MS + LATENCY_HIGH_MS) / 2, bounds)).toBe(30);
    expect(nextActiveGates(30, Number.NaN, bounds)).toBe(30);
  });

  it('starts with half of the fleet, and gate 0 always scans', () => {
    const t = new FleetThrottle(bounds);
    expect(t.active).toBe(32);
    expect(t.isActive(0)).toBe(true);
    expect(t.isActive(31)).toBe(true);
    expect(t.isActive(32)).toBe(false);
    t.active = 0;
    expect(t.isActive(0)).toBe(true);
  });

  it('starts again from the fewest gates when every session is lost', () => {
    const t = new FleetThrottle(bounds);
    t.active = 60;
    t.sessionsLost();
    expect(t.active).toBe(4);
    expect(t.isActive(3)).toBe(true);
    expect(t.isActive(4)).toBe(false);
  });

  it('after the loss, takes back the gates that have not re-authorized a 16th of the fleet at a time, then grows as before', () => {
    const t = new FleetThrottle(bounds);
    t.active = 60;
    t.sessionsLost();
    t.step(10, 1); // at most `rejoin` beyond those that have re-authorized
    expect(t.active).toBe(5);
    t.step(20); // by default a 16th of 64: 4 more
    expect(t.active).toBe(9);
    t.step(4); // shrinks as before
    expect(t.active).toBe(4);
    t.step(12, 0); // back up to the 9 that have re-authorized at once, none beyond (rejoin 0)
    expect(t.active).toBe(9);
    for (let i = 0; i < 54; i++) t.step(t.active + 1, 1);
    expect(t.active).toBe(63);
    t.step(64);
    expect(t.active).toBe(64); // every gate has re-authorized: no cap any more
    t.step(10);
    t.step(12);
    expect(t.active).toBe(12);
  });

  it('without a loss, steps as nextActiveGates says', () => {
    const t = new FleetThrottle(bounds);
    t.step(30);
    expect(t.active).toBe(30);
    t.step(64);
    expect(t.active).toBe(64);
  });

  it('reads its own schedstat without failing (no change from a first reading)', () => {
    const t = new FleetThrottle(bounds);
    const point = t.update([process.pid]);
    expect(point.active).toBe(32);
    expect(t.history).toHaveLength(1);
  });
});
