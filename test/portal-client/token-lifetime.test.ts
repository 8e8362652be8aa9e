// A token lifetime the portal chooses must never break the refresh timer. Node fires a timer
// whose delay exceeds 2^31 − 1 ms (about 24.8 days) after 1 ms instead, with a
// TimeoutOverflowWarning: with a 25-day token the client re-authorized in a tight loop.
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clampTimerDelay, MAX_TIMER_DELAY_MS } from '../../firmware/core/clock.js';
import { PATHS } from '../../portal-client/protocol/constants.js';
import { type PortalFixture, startPortalFixture } from '../../scripts/lab/portal-fixture.js';

const DAY_MS = 24 * 3600_000;

describe('clampTimerDelay', () => {
  it('keeps every delay within what Node honours', () => {
    expect(clampTimerDelay(1500)).toBe(1500);
    expect(clampTimerDelay(0.2)).toBe(1);
    expect(clampTimerDelay(-5)).toBe(0);
    expect(clampTimerDelay(Number.NaN)).toBe(0);
    expect(clampTimerDelay(Number.POSITIVE_INFINITY)).toBe(MAX_TIMER_DELAY_MS);
    expect(clampTimerDelay(30 * DAY_MS)).toBe(MAX_TIMER_DELAY_MS);
  });
});

describe('a portal granting very long tokens', () => {
  let f: PortalFixture;
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(warning.name);
  beforeAll(async () => {
    f = await startPortalFixture({ tokenTtlMs: 30 * DAY_MS });
    process.on('warning', onWarning);
  });
  afterAll(async () => {
    process.off('warning', onWarning);
    await f.close();
  });

  it('authorizes once and schedules the refresh without overflowing the timer', async () => {
    const client = f.client();
    f.mock.server.resetStats();
    const summary = await client.authorize();
    expect(summary.expiresAt - Date.now()).toBeGreaterThan(29 * DAY_MS);
    // A 1 ms refresh timer, or the overflow warning (emitted on the next tick), would show by now.
    for (let i = 0; i < 5; i++) await nextMacrotask();
    expect(warnings).not.toContain('TimeoutOverflowWarning');
    expect(f.mock.server.stats().byPath[PATHS.authorize]).toBe(1);
    expect(client.status().tokenValid).toBe(true);
  });
});
