// The driver-state log: each change once, repeats counted, the count told on the next change or
// once per interval while the repeats go on; drivers kept apart.
import { describe, expect, it } from 'vitest';
import type { DriverStatus } from '../../../drivers/input.js';
import { FakeClock } from '../../../firmware/core/fake-clock.js';
import { createMemoryLogger } from '../../../firmware/core/log.js';
import { DriverStateLog } from '../../../firmware/daemon/driver-state-log.js';

const INTERVAL_MS = 60_000;

function setUp() {
  const clock = new FakeClock(0);
  const logger = createMemoryLogger();
  const log = new DriverStateLog(logger, clock, () => INTERVAL_MS);
  const lines = () =>
    logger.lines.map((l) => {
      const { t: _t, ...rest } = JSON.parse(l) as Record<string, unknown>;
      return rest;
    });
  return { clock, log, lines };
}

const failing = (name = 'scanner'): DriverStatus => ({ name, state: 'reconnecting', lastError: 'driver.open-failed' });

describe('DriverStateLog', () => {
  it('logs a change at once; repeats go out as a count with the next change', async () => {
    const { clock, log, lines } = setUp();
    log.record({ name: 'scanner', state: 'opening' });
    log.record(failing());
    for (let i = 0; i < 5; i++) {
      await clock.advance(1000);
      log.record(failing());
    }
    log.record({ name: 'scanner', state: 'open' });
    expect(lines()).toEqual([
      { level: 'warn', event: 'driver-state', driver: 'scanner', state: 'opening', code: null },
      { level: 'warn', event: 'driver-state', driver: 'scanner', state: 'reconnecting', code: 'driver.open-failed' },
      {
        level: 'warn',
        event: 'driver-state-repeated',
        driver: 'scanner',
        state: 'reconnecting',
        code: 'driver.open-failed',
        repeats: 5,
        sinceMs: 5000,
      },
      { level: 'info', event: 'driver-state', driver: 'scanner', state: 'open', code: null },
    ]);
  });

  it('while the repeats go on, one count line per interval', async () => {
    const { clock, log, lines } = setUp();
    log.record(failing());
    for (let i = 0; i < 3 * 60; i++) {
      await clock.advance(1000);
      log.record(failing());
    }
    const repeated = lines().filter((l) => l.event === 'driver-state-repeated');
    expect(repeated.map((l) => [l.repeats, l.sinceMs])).toEqual([
      [60, INTERVAL_MS],
      [60, INTERVAL_MS],
      [60, INTERVAL_MS],
    ]);
    expect(lines()).toHaveLength(4);
  });

  it('a new error code is a change; other drivers are counted apart', () => {
    const { log, lines } = setUp();
    log.record(failing('scanner'));
    log.record(failing('cards'));
    log.record(failing('scanner'));
    log.record({ name: 'scanner', state: 'reconnecting', lastError: 'driver.disconnected' });
    expect(lines().map((l) => [l.event, l.driver, l.code, l.repeats])).toEqual([
      ['driver-state', 'scanner', 'driver.open-failed', undefined],
      ['driver-state', 'cards', 'driver.open-failed', undefined],
      ['driver-state-repeated', 'scanner', 'driver.open-failed', 1],
      ['driver-state', 'scanner', 'driver.disconnected', undefined],
    ]);
  });
});
