// The serial scanner driver on serialport's mock binding: the device end plays the scanner.
// (driver-pty.test.ts runs the real serialport path over socat ptys.)
import { afterEach, describe, expect, it } from 'vitest';
import type { DriverStatus, InputEvent } from '../../../drivers/input.js';
import { SerialScannerDriver } from '../../../drivers/serial-scanner/driver.js';
import { type SerialScannerOptions, serialScannerOptions } from '../../../drivers/serial-scanner/options.js';
import {
  GM65_WRITE_OK,
  gm65Read,
  gm65Write,
  HONEYWELL_TRIGGER,
  newlandCommand,
} from '../../../drivers/serial-scanner/profiles.js';
import { isPassgateError } from '../../../firmware/core/errors.js';
import { FakeClock } from '../../../firmware/core/fake-clock.js';
import { timeoutTable } from '../../../firmware/core/timeouts.js';
import { type MockSerialDevice, MockSerialPorts } from '../../support/mock-serial-ports.js';
import { until } from '../../support/polling.js';

const timeouts = timeoutTable({ serialCommandReplyMs: 300, driverPathPollMs: 20, driverReopenInitialMs: 20 });
const PATH = '/dev/serial/by-id/usb-Mock_Scanner_0001-if00';

interface Rig {
  ports: MockSerialPorts;
  device: MockSerialDevice;
  driver: SerialScannerDriver;
  events: InputEvent[];
  states: DriverStatus[];
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/**
 * The driver's command replies are timed on `clock`: a FakeClock that only the tests about the
 * reply deadline move, so a reply the test sends late (on a loaded machine) still counts.
 */
async function rig(options: Partial<SerialScannerOptions> = {}, clock = new FakeClock()): Promise<Rig> {
  const ports = new MockSerialPorts();
  const device = ports.plugIn(PATH);
  const driver = new SerialScannerDriver(serialScannerOptions({ path: PATH, ...options }), {
    timeouts,
    ports,
    clock,
  });
  const events: InputEvent[] = [];
  const states: DriverStatus[] = [];
  driver.onEvent((e) => events.push(e));
  driver.onState((s) => states.push(s));
  cleanups.push(() => driver.close());
  await driver.open();
  expect(driver.status().state).toBe('open');
  return { ports, device, driver, events, states };
}

const code = (text: string, symbology = 'unknown') => ({
  kind: 'code',
  source: 'serial-scanner',
  text,
  symbology,
  arrivedAt: expect.any(Number),
});

describe('SerialScannerDriver', () => {
  it('opens the port with the configured line settings and modem lines left alone', async () => {
    const r = await rig({ baudRate: 9600, dataBits: 7, parity: 'even', stopBits: 2 });
    const line = { path: PATH, baudRate: 9600, dataBits: 7, parity: 'even', stopBits: 2, hupcl: false };
    expect(r.device.openOptions).toMatchObject(line);
  });

  it.each([
    ['cr', '\r'],
    ['lf', '\n'],
    ['crlf', '\r\n'],
  ] as const)('reads codes with suffix %s', async (suffix, end) => {
    const r = await rig({ suffix });
    r.device.write(`PG-TEST-0001${end}`);
    r.device.write(`票-0002${end}`);
    await until(() => r.events.length >= 2);
    expect(r.events).toEqual([code('PG-TEST-0001'), code('票-0002')]);
  });

  it('with suffix none, a pause ends the code', async () => {
    const r = await rig({ suffix: 'none' });
    r.device.write('PG-TEST-');
    r.device.write('0001');
    await until(() => r.events.length >= 1);
    expect(r.events).toEqual([code('PG-TEST-0001')]);
  });

  it('strips the AIM identifier and reports QR', async () => {
    const r = await rig();
    r.device.write(']Q1PG-AIM-1\r');
    expect(await until(() => r.events[0])).toEqual(code('PG-AIM-1', 'qr'));
  });

  it('reports overlong and invalid UTF-8 input as read errors, then reads on', async () => {
    const r = await rig({ maxCodeLength: 32 });
    r.device.write(`${'z'.repeat(5000)}\r`);
    r.device.write(Uint8Array.of(0x50, 0xc3, 0x28, 0x0d));
    r.device.write('PG-AFTER\r');
    await until(() => r.events.length >= 3);
    expect(r.events).toEqual([
      { kind: 'read-error', source: 'serial-scanner', code: 'driver.overlong', arrivedAt: expect.any(Number) },
      { kind: 'read-error', source: 'serial-scanner', code: 'driver.encoding', arrivedAt: expect.any(Number) },
      code('PG-AFTER'),
    ]);
  });

  it('GM65: sends the trigger write and takes the acknowledgement as a reply, not a code', async () => {
    const r = await rig({ profile: 'gm65' });
    // The module answers the moment the command arrives, before the host's write has returned.
    r.device.onData(() => r.device.write(Buffer.concat([Buffer.from(GM65_WRITE_OK), Buffer.from(']Q1PG-GM-1\r')])));
    await r.driver.trigger();
    expect([...r.device.received()]).toEqual([...gm65Write(0x0002, 0x01)]);
    expect([...r.device.received()]).toEqual([0x7e, 0x00, 0x08, 0x01, 0x00, 0x02, 0x01, 0xab, 0xcd]);
    await until(() => r.events.length >= 1);
    expect(r.events).toEqual([code('PG-GM-1', 'qr')]);
  });

  it('GM65: a silent module makes trigger() reject with driver.timeout at serialCommandReplyMs', async () => {
    const clock = new FakeClock();
    const r = await rig({ profile: 'gm65' }, clock);
    let settled: unknown = 'pending';
    const done = r.driver.trigger().then(
      () => (settled = 'resolved'),
      (e: unknown) => (settled = e),
    );
    await clock.advance(timeouts.serialCommandReplyMs - 1);
    expect(settled).toBe('pending');
    await clock.advance(1);
    await done;
    expect(isPassgateError(settled, 'driver.timeout')).toBe(true);
    expect((settled as { details: object }).details).toEqual({ step: 'trigger a scan' });
  });

  it('GM65: configure() reads and rewrites the mode and tail registers', async () => {
    const r = await rig({ profile: 'gm65', suffix: 'crlf', mode: 'trigger' });
    // A tiny GM65: registers 0x0000 = 0b1010_0110, 0x0060 = 0b1100_0101.
    const registers = new Map<number, number>([
      [0x0000, 0b1010_0110],
      [0x0060, 0b1100_0101],
    ]);
    r.device.onData((command) => {
      const address = (command[4] << 8) | command[5];
      if (command[2] === 0x07) r.device.write(Uint8Array.of(0x02, 0x00, 0x00, 0x01, registers.get(address) ?? 0, 0, 0));
      else if (command[2] === 0x08) {
        registers.set(address, command[6]);
        r.device.write(GM65_WRITE_OK);
      }
    });
    await r.driver.configure();
    expect(registers.get(0x0000)).toBe(0b1010_0101); // mode bits 1-0 = 01 (command trigger)
    expect(registers.get(0x0060)).toBe(0b1010_0101); // tail bits 6-5 = 01 (CRLF), others kept
    expect([...r.device.received().subarray(0, 9)]).toEqual([...gm65Read(0x0000)]);
    expect(r.events).toEqual([]);
  });

  it('GM65: a reply arriving after its command timed out is still not a code', async () => {
    const clock = new FakeClock();
    const r = await rig({ profile: 'gm65' }, clock);
    const error = r.driver.trigger().catch((e: unknown) => e);
    await clock.advance(timeouts.serialCommandReplyMs);
    expect(isPassgateError(await error, 'driver.timeout')).toBe(true);
    r.device.write(Buffer.concat([Buffer.from(GM65_WRITE_OK), Buffer.from('PG-LATE\r')]));
    await until(() => r.events.length >= 1);
    expect(r.events).toEqual([code('PG-LATE')]);
  });

  it('configureOnOpen: a module that does not answer yields a read-error event, reading goes on', async () => {
    const clock = new FakeClock();
    const r = await rig({ profile: 'gm65', configureOnOpen: true }, clock);
    await clock.advance(timeouts.serialCommandReplyMs);
    await until(() => r.events.length >= 1);
    expect(r.events[0]).toEqual({
      kind: 'read-error',
      source: 'serial-scanner',
      code: 'driver.timeout',
      arrivedAt: expect.any(Number),
    });
    expect([...r.device.received().subarray(0, 9)]).toEqual([...gm65Read(0x0000)]);
    r.device.write('PG-STILL\r');
    await until(() => r.events.length >= 2);
    expect(r.events[1]).toMatchObject({ kind: 'code', text: 'PG-STILL' });
  });

  it('Newland: sends #SCNTRG1 wrapped, and a NAK rejects with driver.frame-invalid', async () => {
    const r = await rig({ profile: 'newland' });
    const done = r.driver.trigger().catch((e: unknown) => e);
    const expected = newlandCommand('#', 'SCNTRG1');
    await until(() => r.device.received().length >= expected.length);
    expect(r.device.received().toString('latin1')).toBe('\x7e\x010000#SCNTRG1;\x03');
    r.device.write(Buffer.concat([Buffer.from('\x02\x010000#SCNTRG1', 'latin1'), Buffer.from([0x15, 0x3b, 0x03])]));
    expect(isPassgateError(await done, 'driver.frame-invalid')).toBe(true);
    expect(r.events).toEqual([]);
  });

  it('Honeywell: sends SYN T CR and expects no reply', async () => {
    const r = await rig({ profile: 'honeywell' });
    await r.driver.trigger();
    expect([...r.device.received()]).toEqual([...HONEYWELL_TRIGGER]);
    expect([...r.device.received()]).toEqual([0x16, 0x54, 0x0d]);
  });

  it('the generic profile has no trigger: nothing is sent', async () => {
    const r = await rig();
    await r.driver.trigger();
    expect(r.device.received().length).toBe(0);
  });

  it('a command waiting for its reply fails with driver.disconnected when the scanner is unplugged', async () => {
    const r = await rig({ profile: 'gm65' });
    const done = r.driver.trigger().catch((e: unknown) => e);
    await until(() => r.device.received().length >= 9);
    r.device.unplug();
    const error = await done;
    expect(isPassgateError(error, 'driver.disconnected')).toBe(true);
    expect((error as Error).message).toBe('the scanner went away');
  });

  it('close() fails a command waiting for its reply with driver.disconnected', async () => {
    const r = await rig({ profile: 'gm65' });
    const done = r.driver.trigger().catch((e: unknown) => e);
    await until(() => r.device.received().length >= 9);
    await r.driver.close();
    const error = await done;
    expect(isPassgateError(error, 'driver.disconnected')).toBe(true);
    expect((error as Error).message).toBe('the scanner driver was closed');
    expect(isPassgateError(await r.driver.trigger().catch((e: unknown) => e), 'driver.disconnected')).toBe(true);
  });

  it('survives unplug and replug at the same path, and reads again', async () => {
    const r = await rig();
    r.device.write('PG-BEFORE\r');
    await until(() => r.events.length >= 1);
    r.device.unplug();
    const lost = await until(() => r.states.find((s) => s.state === 'reconnecting'));
    expect(lost.lastError).toBe('driver.disconnected');
    expect(r.driver.status()).toEqual({ ...lost, name: 'serial-scanner' });
    r.ports.plugIn(PATH);
    await until(() => r.driver.status().state === 'open');
    expect(r.device.opens).toBe(2);
    r.device.write('PG-AFTER\r');
    await until(() => r.events.length >= 2);
    expect(r.events).toEqual([code('PG-BEFORE'), code('PG-AFTER')]);
    expect(r.states.map((s) => s.state)).toEqual(['opening', 'open', 'reconnecting', 'open']);
  });

  it('keeps retrying a path that does not exist, and close() ends in closed', async () => {
    const driver = new SerialScannerDriver(serialScannerOptions({ path: '/dev/serial/by-id/none' }), {
      timeouts,
      ports: new MockSerialPorts(),
    });
    await driver.open();
    expect(driver.status()).toMatchObject({ state: 'reconnecting', lastError: 'driver.open-failed' });
    await driver.close();
    expect(driver.status().state).toBe('closed');
  });
});
