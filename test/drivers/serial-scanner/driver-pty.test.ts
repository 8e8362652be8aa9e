// The serial scanner driver on the real serialport path, over socat pty pairs: the peer side
// plays the scanner. The behaviour in detail is in driver.test.ts (serialport's mock binding).

import { dirname } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DriverStatus, InputEvent } from '../../../drivers/input.js';
import { SerialScannerDriver } from '../../../drivers/serial-scanner/driver.js';
import { type SerialScannerOptions, serialScannerOptions } from '../../../drivers/serial-scanner/options.js';
import { GM65_WRITE_OK, gm65Write } from '../../../drivers/serial-scanner/profiles.js';
import { FakeClock } from '../../../firmware/core/fake-clock.js';
import { timeoutTable } from '../../../firmware/core/timeouts.js';
import { type ClosableDeviceEnd, openDeviceEnd } from '../../../scripts/lab/device-end.js';
import { openPtyPair, type PtyPair } from '../../../scripts/lab/pty-pair.js';
import { startStopwatch } from '../../support/cpu-wait.js';
import { until } from '../../support/polling.js';

const timeouts = timeoutTable({ serialCommandReplyMs: 300, driverPathPollMs: 100 });

interface Rig {
  pair: PtyPair;
  driver: SerialScannerDriver;
  peer: ClosableDeviceEnd;
  events: InputEvent[];
  states: DriverStatus[];
  fromDriver: Buffer[];
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function openPeer(path: string, sink: Buffer[]): Promise<ClosableDeviceEnd> {
  const peer = await openDeviceEnd(path, 115200);
  peer.onData((chunk) => sink.push(chunk));
  return peer;
}

async function rig(options: Partial<SerialScannerOptions> = {}): Promise<Rig> {
  const pair = await openPtyPair();
  const fromDriver: Buffer[] = [];
  const peer = await openPeer(pair.peerPath, fromDriver);
  // Command replies timed on a clock that stands still: the reply deadline is driver.test.ts's
  // subject; here an acknowledgement relayed late by socat on a loaded machine must still count.
  const driver = new SerialScannerDriver(
    serialScannerOptions({ path: pair.devicePath, baudRate: 115200, ...options }),
    { timeouts, clock: new FakeClock() },
  );
  const events: InputEvent[] = [];
  const states: DriverStatus[] = [];
  driver.onEvent((e) => events.push(e));
  driver.onState((s) => states.push(s));
  const r: Rig = { pair, driver, peer, events, states, fromDriver };
  cleanups.push(async () => {
    await driver.close();
    await r.peer.close();
    await r.pair.close();
  });
  await driver.open();
  expect(driver.status().state).toBe('open');
  return r;
}

describe('SerialScannerDriver over a pty', () => {
  it('reads codes', async () => {
    const r = await rig();
    r.peer.write('PG-TEST-0001\r]Q1票-0002\r');
    await until(() => r.events.length >= 2);
    expect(r.events).toEqual([
      {
        kind: 'code',
        source: 'serial-scanner',
        text: 'PG-TEST-0001',
        symbology: 'unknown',
        arrivedAt: expect.any(Number),
      },
      { kind: 'code', source: 'serial-scanner', text: '票-0002', symbology: 'qr', arrivedAt: expect.any(Number) },
    ]);
  });

  it('opens with 7 data bits, even parity and 2 stop bits', async () => {
    const r = await rig({ dataBits: 7, parity: 'even', stopBits: 2, baudRate: 9600 });
    r.peer.write('PG-7E2\r');
    await until(() => r.events.length >= 1);
    expect(r.events[0]).toMatchObject({ kind: 'code', text: 'PG-7E2' });
  });

  it('GM65: a trigger is written and its acknowledgement answers it', async () => {
    const r = await rig({ profile: 'gm65' });
    const done = r.driver.trigger();
    await until(() => Buffer.concat(r.fromDriver).length >= 9);
    expect([...Buffer.concat(r.fromDriver)]).toEqual([...gm65Write(0x0002, 0x01)]);
    r.peer.write(GM65_WRITE_OK);
    await done;
    expect(r.events).toEqual([]);
  });

  it('survives unplug and replug at the same path, reading again within 2 s', async () => {
    const r = await rig();
    r.peer.write('PG-BEFORE\r');
    await until(() => r.events.length >= 1);
    await r.peer.close();
    await r.pair.close();
    const lost = await until(() => r.states.find((s) => s.state === 'reconnecting'));
    expect(lost.lastError).toBe('driver.disconnected');
    // Plugged back in: same link paths, new pty underneath.
    r.pair = await openPtyPair(dirname(r.pair.devicePath));
    const back = startStopwatch();
    r.peer = await openPeer(r.pair.peerPath, r.fromDriver);
    await until(() => r.driver.status().state === 'open', undefined, 'the driver to reopen');
    r.peer.write('PG-AFTER\r');
    await until(() => r.events.length >= 2, undefined, 'the code after the replug');
    expect(r.events[1]).toEqual({
      kind: 'code',
      source: 'serial-scanner',
      text: 'PG-AFTER',
      symbology: 'unknown',
      arrivedAt: expect.any(Number),
    });
    // Within 2 s of the replug (it looks for the path every 100 ms), not counting the time this
    // process waited for a CPU (support/cpu-wait.ts).
    expect(back.activeMs()).toBeLessThanOrEqual(2000);
  });

  it('keeps retrying a path that does not exist, and close() ends in closed', async () => {
    const options = serialScannerOptions({ path: '/nonexistent/serial/by-id/none' });
    const driver = new SerialScannerDriver(options, { timeouts });
    await driver.open();
    expect(driver.status()).toEqual({ name: 'serial-scanner', state: 'reconnecting', lastError: 'driver.open-failed' });
    await driver.close();
    expect(driver.status().state).toBe('closed');
  });
});
