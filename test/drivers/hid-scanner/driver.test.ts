import { afterEach, describe, expect, it } from 'vitest';
import { nodeHidOpener } from '../../../drivers/hid-scanner/device.js';
import { HidScannerDriver, hidScannerOptions } from '../../../drivers/hid-scanner/driver.js';
import { MockHidOpener } from '../../../drivers/hid-scanner/mock.js';
import type { DriverStatus, InputEvent } from '../../../drivers/input.js';
import { isPassgateError } from '../../../firmware/core/errors.js';
import { timeoutTable } from '../../../firmware/core/timeouts.js';
import { until } from '../../support/polling.js';
import * as fx from './fixtures.js';

const timeouts = timeoutTable({
  driverPathPollMs: 20,
  driverReopenInitialMs: 20,
  driverReopenMaxMs: 100,
  hidFrameIdleMs: 50,
});

const drivers: HidScannerDriver[] = [];
afterEach(async () => {
  for (const d of drivers.splice(0)) await d.close();
});

/** The in-memory device, counting how often the driver looked for it. */
class CountingHidOpener extends MockHidOpener {
  presenceChecks = 0;

  override async isPresent(): Promise<boolean> {
    this.presenceChecks += 1;
    return super.isPresent();
  }
}

function rig(opener: MockHidOpener = new CountingHidOpener()) {
  const driver = new HidScannerDriver(hidScannerOptions({ vendorId: 0x1eab, productId: 0x1d06 }), { timeouts, opener });
  drivers.push(driver);
  const events: InputEvent[] = [];
  const states: DriverStatus[] = [];
  driver.onEvent((e) => events.push(e));
  driver.onState((s) => states.push(s));
  return { driver, opener, events, states };
}

describe('HidScannerDriver with recorded reports', () => {
  it('emits codes and read errors from the reports', async () => {
    const { driver, opener, events } = rig();
    await driver.open();
    expect(driver.status()).toEqual({ name: 'hid-scanner', state: 'open' });
    opener.play([...fx.AB1_DASH, ...fx.NON_US_HASH, ...fx.DOUBLE_A]);
    expect(events).toEqual([
      { kind: 'code', source: 'hid-scanner', text: 'Ab1-', symbology: 'unknown', arrivedAt: expect.any(Number) },
      { kind: 'read-error', source: 'hid-scanner', code: 'driver.frame-invalid', arrivedAt: expect.any(Number) },
      { kind: 'code', source: 'hid-scanner', text: 'aa', symbology: 'unknown', arrivedAt: expect.any(Number) },
    ]);
  });

  it('drops a code left without Enter after the idle time', async () => {
    const { driver, opener, events } = rig();
    await driver.open();
    opener.play(fx.typed('abc').slice(0, 6));
    await until(() => events.length > 0);
    expect(events).toEqual([
      { kind: 'read-error', source: 'hid-scanner', code: 'driver.frame-invalid', arrivedAt: expect.any(Number) },
    ]);
    opener.play(fx.typed('xyz'));
    expect(events[1]).toEqual({
      kind: 'code',
      source: 'hid-scanner',
      text: 'xyz',
      symbology: 'unknown',
      arrivedAt: expect.any(Number),
    });
  });

  it('reconnects after unplug once the device is listed again', async () => {
    const opener = new CountingHidOpener();
    const { driver, events, states } = rig(opener);
    await driver.open();
    opener.unplug();
    expect(driver.status()).toEqual({ name: 'hid-scanner', state: 'reconnecting', lastError: 'driver.disconnected' });
    const checks = opener.presenceChecks;
    await until(() => opener.presenceChecks >= checks + 3, undefined, 'three looks for the device');
    expect(opener.opens).toBe(1); // absent: looked for, not reopened
    opener.plugIn();
    await until(() => driver.status().state === 'open', undefined, 'the driver to reopen');
    expect(opener.opens).toBe(2);
    expect(opener.closes).toBe(1);
    opener.play(fx.typed('back1'));
    expect(events).toEqual([
      { kind: 'code', source: 'hid-scanner', text: 'back1', symbology: 'unknown', arrivedAt: expect.any(Number) },
    ]);
    expect(states.map((s) => s.state)).toEqual(['opening', 'open', 'reconnecting', 'open']);
  });

  it('waits for a scanner that is not there at start', async () => {
    const opener = new MockHidOpener();
    opener.present = false;
    const { driver } = rig(opener);
    await driver.open();
    expect(driver.status()).toEqual({ name: 'hid-scanner', state: 'reconnecting', lastError: 'driver.open-failed' });
    opener.plugIn();
    await until(() => driver.status().state === 'open', undefined, 'the driver to open');
    await driver.close();
    expect(driver.status().state).toBe('closed');
    expect(opener.closes).toBe(1);
  });

  it('checks its options', () => {
    const error = (() => {
      try {
        hidScannerOptions({ vendorId: 0x10000, productId: 1 });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(isPassgateError(error, 'config.invalid-value')).toBe(true);
    expect(hidScannerOptions({ vendorId: 1, productId: 2 }).maxCodeLength).toBe(2048);
  });

  it('the node-hid opener finds no device on a machine without one', async () => {
    const opener = nodeHidOpener({ vendorId: 0xfffe, productId: 0xfffe });
    expect(await opener.isPresent()).toBe(false);
    const error = await opener.open().catch((e: unknown) => e);
    expect(isPassgateError(error, 'driver.open-failed')).toBe(true);
  });
});
