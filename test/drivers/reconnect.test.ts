import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DriverState } from '../../drivers/input.js';
import { pathExists, Reconnector, type ReconnectorOptions } from '../../drivers/reconnect.js';
import { PassgateError } from '../../firmware/core/errors.js';

const timeouts = { driverReopenInitialMs: 100, driverReopenMaxMs: 400, driverPathPollMs: 50 };

interface Harness {
  reconnector: Reconnector<number>;
  states: DriverState[];
  opened: number[];
  closedCodes: string[];
  released: number[];
  attempts: number[];
  present: { value: boolean };
  failing: { value: PassgateError | undefined };
}

function harness(overrides: Partial<ReconnectorOptions<number>> = {}): Harness {
  const h: Omit<Harness, 'reconnector'> = {
    states: [],
    opened: [],
    closedCodes: [],
    released: [],
    attempts: [],
    present: { value: true },
    failing: { value: undefined },
  };
  let next = 0;
  const reconnector = new Reconnector<number>({
    open: async () => {
      h.attempts.push(Date.now());
      if (h.failing.value !== undefined) throw h.failing.value;
      next += 1;
      return next;
    },
    onOpen: (handle) => h.opened.push(handle),
    onClosed: (reason) => h.closedCodes.push(reason.code),
    onState: (state) => h.states.push(state),
    isPresent: async () => h.present.value,
    release: async (handle) => {
      h.released.push(handle);
    },
    timeouts,
    ...overrides,
  });
  return { ...h, reconnector };
}

const openFailed = () => new PassgateError('driver.open-failed', 'no device');

describe('Reconnector', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('opens and reports opening then open', async () => {
    const h = harness();
    await h.reconnector.start();
    expect(h.states).toEqual(['opening', 'open']);
    expect(h.opened).toEqual([1]);
    expect(h.reconnector.handle).toBe(1);
    await h.reconnector.stop();
    expect(h.released).toEqual([1]);
    expect(h.reconnector.state).toBe('closed');
  });

  it('retries a failing open with doubling delays capped at the maximum', async () => {
    const h = harness();
    h.failing.value = openFailed();
    const start = Date.now();
    await h.reconnector.start();
    expect(h.reconnector.state).toBe('reconnecting');
    expect(h.reconnector.error).toBe('driver.open-failed');
    await vi.advanceTimersByTimeAsync(2000);
    const gaps = h.attempts.map((t, i) => t - (i === 0 ? start : h.attempts[i - 1]));
    expect(gaps.slice(0, 6)).toEqual([0, 100, 200, 400, 400, 400]);
    h.failing.value = undefined;
    await vi.advanceTimersByTimeAsync(400);
    expect(h.reconnector.state).toBe('open');
    expect(h.reconnector.error).toBeUndefined();
    await h.reconnector.stop();
  });

  it('waits for an absent device without opening, then opens within one poll of its return', async () => {
    const h = harness();
    h.present.value = false;
    h.failing.value = openFailed();
    await h.reconnector.start();
    await vi.advanceTimersByTimeAsync(3000);
    const attemptsWhileAbsent = h.attempts.length;
    expect(attemptsWhileAbsent).toBe(1); // only the first try
    h.failing.value = undefined;
    h.present.value = true;
    const back = Date.now();
    await vi.advanceTimersByTimeAsync(timeouts.driverPathPollMs);
    expect(h.reconnector.state).toBe('open');
    expect(h.attempts[h.attempts.length - 1] - back).toBeLessThanOrEqual(timeouts.driverPathPollMs);
    await h.reconnector.stop();
  });

  it('reopens a lost handle and reports the reason', async () => {
    const h = harness();
    await h.reconnector.start();
    h.reconnector.lost(1, new Error('EIO'));
    expect(h.reconnector.state).toBe('reconnecting');
    expect(h.closedCodes).toEqual(['driver.disconnected']);
    await vi.advanceTimersByTimeAsync(10);
    expect(h.opened).toEqual([1, 2]);
    expect(h.reconnector.state).toBe('open');
    // A stale report about the old handle changes nothing.
    h.reconnector.lost(1, new Error('late'));
    expect(h.reconnector.state).toBe('open');
    expect(h.closedCodes).toHaveLength(1);
    await h.reconnector.stop();
  });

  it('stop() cancels pending retries', async () => {
    const h = harness();
    h.failing.value = openFailed();
    await h.reconnector.start();
    await h.reconnector.stop();
    const count = h.attempts.length;
    await vi.advanceTimersByTimeAsync(5000);
    expect(h.attempts.length).toBe(count);
    expect(h.reconnector.state).toBe('closed');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stops in failed on a fatal error', async () => {
    const h = harness({ isFatal: (e) => e.code === 'config.invalid-value' });
    h.failing.value = new PassgateError('config.invalid-value', 'bad baud rate');
    await h.reconnector.start();
    expect(h.reconnector.state).toBe('failed');
    await vi.advanceTimersByTimeAsync(5000);
    expect(h.attempts).toHaveLength(1);
  });

  it('survives throwing callbacks and a non-Passgate open error', async () => {
    let fail = true;
    const h = harness({
      open: async () => {
        if (fail) throw new TypeError('boom');
        return 7;
      },
      onOpen: () => {
        throw new Error('listener bug');
      },
      onState: () => {
        throw new Error('listener bug');
      },
    });
    await h.reconnector.start();
    expect(h.reconnector.state).toBe('reconnecting');
    expect(h.reconnector.error).toBe('driver.open-failed');
    fail = false;
    await vi.advanceTimersByTimeAsync(200);
    expect(h.reconnector.state).toBe('open');
    await h.reconnector.stop();
  });
});

describe('pathExists', () => {
  it('follows the file system', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pathexists-'));
    const file = join(dir, 'dev');
    const check = pathExists(file);
    expect(await check()).toBe(false);
    writeFileSync(file, '');
    expect(await check()).toBe(true);
    rmSync(dir, { recursive: true });
  });
});
