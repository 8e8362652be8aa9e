import { afterEach, describe, expect, it } from 'vitest';
import type { DriverStatus, InputEvent } from '../../drivers/input.js';
import { ReconnectingInputDriver } from '../../drivers/input-driver-base.js';
import { MockInputDriver } from '../../drivers/mock-input-driver.js';
import { type ErrorCode, PassgateError } from '../../firmware/core/errors.js';
import { timeoutTable } from '../../firmware/core/timeouts.js';
import { until } from '../support/polling.js';

const timeouts = timeoutTable({ driverReopenInitialMs: 10, driverReopenMaxMs: 20, driverPathPollMs: 10 });

/** A device in memory: it delivers codes through its listener and can be told to fail. */
class FakeDevice {
  released = false;
  listener: ((text: string) => void) | undefined;
  constructor(readonly id: number) {}
}

/** The smallest driver on the base: everything but the device logic comes from the base. */
class FakeDeviceDriver extends ReconnectingInputDriver<FakeDevice> {
  readonly devices: FakeDevice[] = [];
  readonly lostReasons: [number, ErrorCode][] = [];
  failOpen: PassgateError | undefined;

  constructor(present: () => boolean) {
    super('fake', {
      timeouts,
      isPresent: async () => present(),
      isFatal: (error) => error.details.reason === 'fatal',
    });
  }

  /** The device as the hardware: delivers a code to whoever listens. */
  scan(text: string): void {
    this.devices.at(-1)?.listener?.(text);
  }

  /** The driver's own device logic noticing the device failed. */
  fail(device: FakeDevice): void {
    this.lost(device, new PassgateError('driver.disconnected', 'gone'));
  }

  current(): FakeDevice | undefined {
    return this.device;
  }

  protected async openDevice(): Promise<FakeDevice> {
    if (this.failOpen) throw this.failOpen;
    const device = new FakeDevice(this.devices.length + 1);
    this.devices.push(device);
    return device;
  }

  protected attachDevice(device: FakeDevice): void {
    device.listener = (text) =>
      this.emitEvent({ kind: 'code', source: this.name, text, symbology: 'unknown', arrivedAt: 1 });
  }

  protected async releaseDevice(device: FakeDevice): Promise<void> {
    device.released = true;
  }

  protected override deviceLost(device: FakeDevice, reason: PassgateError): void {
    this.lostReasons.push([device.id, reason.code]);
  }
}

const drivers: FakeDeviceDriver[] = [];
afterEach(async () => {
  for (const driver of drivers.splice(0)) await driver.close();
});

function rig() {
  const present = { value: true };
  const driver = new FakeDeviceDriver(() => present.value);
  drivers.push(driver);
  const events: InputEvent[] = [];
  const states: DriverStatus[] = [];
  driver.onEvent((e) => events.push(e));
  driver.onState((s) => states.push(s));
  return { driver, present, events, states };
}

describe('ReconnectingInputDriver', () => {
  it('opens the device, attaches it, and reports each state with the driver status', async () => {
    const { driver, events, states } = rig();
    expect(driver.status()).toEqual({ name: 'fake', state: 'closed' });
    await driver.open();
    expect(driver.status()).toEqual({ name: 'fake', state: 'open' });
    driver.scan('PG-1');
    expect(events).toEqual([{ kind: 'code', source: 'fake', text: 'PG-1', symbology: 'unknown', arrivedAt: 1 }]);
    await driver.close();
    expect(driver.devices[0].released).toBe(true);
    expect(states).toEqual([
      { name: 'fake', state: 'opening' },
      { name: 'fake', state: 'open' },
      { name: 'fake', state: 'closed' },
    ]);
  });

  it('a lost device is reported to deviceLost once, with its reason, and a new one is opened', async () => {
    const { driver, states } = rig();
    await driver.open();
    const first = driver.current()!;
    driver.fail(first);
    driver.fail(first); // a second report of the same device is stale
    expect(driver.status()).toEqual({ name: 'fake', state: 'reconnecting', lastError: 'driver.disconnected' });
    expect(driver.current()).toBeUndefined();
    await until(() => driver.status().state === 'open');
    expect(driver.current()?.id).toBe(2);
    expect(driver.lostReasons).toEqual([[1, 'driver.disconnected']]);
    expect(states.map((s) => s.state)).toEqual(['opening', 'open', 'reconnecting', 'open']);
  });

  it('waits for an absent device and opens it when it is back', async () => {
    const { driver, present } = rig();
    await driver.open();
    present.value = false;
    driver.fail(driver.current()!);
    const opensBefore = driver.devices.length;
    present.value = true;
    await until(() => driver.status().state === 'open');
    expect(driver.devices.length).toBe(opensBefore + 1);
  });

  it('an open failure the driver calls fatal ends in failed, without retries', async () => {
    const { driver } = rig();
    driver.failOpen = new PassgateError('driver.open-failed', 'bad settings', { reason: 'fatal' });
    await driver.open();
    expect(driver.status()).toEqual({ name: 'fake', state: 'failed', lastError: 'driver.open-failed' });
    expect(driver.devices).toEqual([]);
  });

  it('a throwing listener neither stops the other listeners nor reaches the device', async () => {
    const { driver, events } = rig();
    driver.onEvent(() => {
      throw new Error('listener bug');
    });
    const late: InputEvent[] = [];
    driver.onEvent((e) => late.push(e));
    driver.onState(() => {
      throw new Error('listener bug');
    });
    await driver.open();
    expect(() => driver.scan('PG-2')).not.toThrow();
    expect(events).toHaveLength(1);
    expect(late).toHaveLength(1);
    expect(driver.status().state).toBe('open');
  });

  it('unsubscribed listeners hear nothing more', async () => {
    const { driver } = rig();
    const heard: InputEvent[] = [];
    const stop = driver.onEvent((e) => heard.push(e));
    await driver.open();
    driver.scan('PG-3');
    stop();
    driver.scan('PG-4');
    expect(heard.map((e) => (e.kind === 'code' ? e.text : e.kind))).toEqual(['PG-3']);
  });
});

describe('MockInputDriver', () => {
  class Probe extends MockInputDriver {
    deliver(text: string): void {
      this.emitWhileOpen({ kind: 'code', source: this.name, text, symbology: 'qr' });
    }
  }

  it('delivers events only while open, and reports every state it is set to', async () => {
    const probe = new Probe('probe');
    const events: InputEvent[] = [];
    const states: DriverStatus[] = [];
    probe.onEvent((e) => events.push(e));
    probe.onState((s) => states.push(s));
    probe.deliver('before');
    await probe.open();
    await probe.open(); // already open: nothing
    probe.deliver('while open');
    probe.setState('reconnecting', 'driver.disconnected');
    probe.deliver('while away');
    expect(probe.status()).toEqual({ name: 'probe', state: 'reconnecting', lastError: 'driver.disconnected' });
    await probe.close();
    await probe.close();
    expect(events.map((e) => (e.kind === 'code' ? e.text : e.kind))).toEqual(['while open']);
    expect(states.map((s) => s.state)).toEqual(['opening', 'open', 'reconnecting', 'closed']);
    expect(probe.status()).toEqual({ name: 'probe', state: 'closed' });
  });
});
