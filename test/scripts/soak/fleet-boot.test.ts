import { describe, expect, it } from 'vitest';
import {
  BOOTING_AT_ONCE,
  cpuTimesOf,
  IDLE_TO_START_MORE,
  MAX_BOOTING_AT_ONCE,
  mayStartBoot,
} from '../../../scripts/soak/fleet-boot.js';

describe('fleet boot', () => {
  it("reads the box's idle and total ticks from /proc/stat's first line", () => {
    const stat = 'cpu  100 5 50 800 40 3 2 0 0 0\ncpu0 50 2 25 400 20 1 1 0 0 0\nintr 1 2 3\n';
    expect(cpuTimesOf(stat)).toEqual({ idle: 840, total: 1000 });
    expect(cpuTimesOf('cpu0 1 2 3 4 5\n')).toBeNull();
    expect(cpuTimesOf('cpu  1 2 x 4 5\n')).toBeNull();
    expect(cpuTimesOf('')).toBeNull();
  });

  it('boots six at a time, up to ten while the CPUs still idle', () => {
    expect(mayStartBoot(0, null)).toBe(true);
    expect(mayStartBoot(BOOTING_AT_ONCE - 1, 0)).toBe(true);
    expect(mayStartBoot(BOOTING_AT_ONCE, null)).toBe(false);
    expect(mayStartBoot(BOOTING_AT_ONCE, IDLE_TO_START_MORE - 0.01)).toBe(false);
    expect(mayStartBoot(BOOTING_AT_ONCE, IDLE_TO_START_MORE)).toBe(true);
    expect(mayStartBoot(MAX_BOOTING_AT_ONCE - 1, 0.9)).toBe(true);
    expect(mayStartBoot(MAX_BOOTING_AT_ONCE, 0.9)).toBe(false);
  });
});
