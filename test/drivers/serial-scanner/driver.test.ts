// The serial scanner driver over real socat pty pairs: the peer side plays the scanner.
import { afterEach, describe, expect, it } from 'vitest';
import { dirname } from 'node:path';
import { SerialPort } from 'serialport';
import { until } from '../../support/polling.js';
import { openPtyPair, type PtyPair } from '../../../scripts/lab/pty-pair.js';
import { SerialScannerDriver } from '../../../drivers/serial-scanner/driver.js';
import { serialScannerOptions, type SerialScannerOptions } from '../../../drivers/serial-scanner/options.js';
import { GM65_WRITE_OK, gm65Read, gm65Write, HONEYWELL_TRIGGER, newlandCommand } from '../../../drivers/serial-scanner/profiles.js';
import type { DriverStatus, InputEvent } from '../../../drivers/input.js';
import { isPassgateError } from '../../../firmware/core/errors.js';
import { timeoutTable } from '../../../firmware/core/timeouts.js';

const timeouts = timeoutTable({ serialCommandReplyMs: 300, driverPathPollMs: 100 });

interface Rig {
  pair: PtyPair;
  driver: SerialScannerDriver;
  peer: SerialPort;
  events: InputEvent[];
  states: DriverStatus[];
  fromDriver: Buffer[];
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function openPeer(path: string, sink: Buffer[]): Promise<SerialPort> {
  const peer = new SerialPort({ path, baudRate: 115200, autoOpen: false, hupcl: false });
  await new Promise<void>((resolve, reject) => peer.open((e) => (e ? reject(e) : resolve())));
  peer.on('data', (chunk: Buffer) => sink.push(chunk));
  peer.on('error', () => undefined);
  return peer;
}

async function closePeer(peer: SerialPort): Promise<void> {
  if (peer.isOpen) await new Promise<void>((resolve) => peer.close(() => resolve()));
}

async function rig(options: Partial<SerialScannerOptions> = {}): Promise<Rig> {
  const pair = await openPtyPair();
  const fromDriver: Buffer[] = [];
  const peer = await openPeer(pair.peerPath, fromDriver);
  const driver = new SerialScannerDriver(
    serialScannerOptions({ path: pair.devicePath, baudRate: 115200, ...options }),
    { timeouts },
  );
  const events: InputEvent[] = [];
  const states: DriverStatus[] = [];
  driver.onEvent((e) => events.push(e));
  driver.onState((s) => states.push(s));
  const r: Rig = { pair, driver, peer, events, states, fromDriver };
  cleanups.push(async () => {
    await driver.close();
    await closePeer(r.peer);
    await r.pair.close();
  });
  await driver.open();
  expect(driver.status().state).toBe('open');
  return r;
}

function send(peer: SerialPort, data: string | Uint8Array): void {
  peer.write(typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data));
}

const received = (r: Rig): Buffer => Buffer.concat(r.fromDriver);

describe('SerialScannerDriver over a pty', () => {
  it.each([
    ['cr', '\r'],
    ['lf', '\n'],
    ['crlf', '\r\n'],
    ['none', ''],
  ] as const)('reads codes with suffix %s', async (suffix, end) => {
    const r = await rig({ suffix });
    send(r.peer, `PG-TEST-0001${end}`);
    await until(() => r.events.length >= 1);
    if (suffix !== 'none') {
      send(r.peer, `票-0002${end}`);
      await until(() => r.events.length >= 2);
    }
    const expected = suffix === 'none' ? ['PG-TEST-0001'] : ['PG-TEST-0001', '票-0002'];
    expect(r.events).toEqual(expected.map((text) => ({ kind: 'code', source: 'serial-scanner', text, symbology: 'unknown' })));
  });

  it('strips the AIM identifier and reports QR', async () => {
    const r = await rig();
    send(r.peer, ']Q1PG-AIM-1\r');
    const event = await until(() => r.events[0]);
    expect(event).toEqual({ kind: 'code', source: 'serial-scanner', text: 'PG-AIM-1', symbology: 'qr' });
  });

  it('reports overlong and invalid UTF-8 input as read errors, then reads on', async () => {
    const r = await rig({ maxCodeLength: 32 });
    send(r.peer, `${'z'.repeat(5000)}\r`);
    send(r.peer, Uint8Array.of(0x50, 0xc3, 0x28, 0x0d));
    send(r.peer, 'PG-AFTER\r');
    await until(() => r.events.length >= 3);
    expect(r.events).toEqual([
      { kind: 'read-error', source: 'serial-scanner', code: 'driver.overlong' },
      { kind: 'read-error', source: 'serial-scanner', code: 'driver.encoding' },
      { kind: 'code', source: 'serial-scanner', text: 'PG-AFTER', symbology: 'unknown' },
    ]);
  });

  it('GM65: sends the trigger write and takes the acknowledgement as a reply, not a code', async () => {
    const r = await rig({ profile: 'gm65' });
    const done = r.driver.trigger();
    await until(() => received(r).length >= 9);
    expect([...received(r)]).toEqual([...gm65Write(0x0002, 0x01)]);
    expect([...received(r)]).toEqual([0x7e, 0x00, 0x08, 0x01, 0x00, 0x02, 0x01, 0xab, 0xcd]);
    send(r.peer, Buffer.concat([Buffer.from(GM65_WRITE_OK), Buffer.from(']Q1PG-GM-1\r')]));
    await done;
    await until(() => r.events.length >= 1);
    expect(r.events).toEqual([{ kind: 'code', source: 'serial-scanner', text: 'PG-GM-1', symbology: 'qr' }]);
  });

  it('GM65: a silent module makes trigger() reject with driver.timeout', async () => {
    const r = await rig({ profile: 'gm65' });
    const error = await r.driver.trigger().catch((e: unknown) => e);
    expect(isPassgateError(error, 'driver.timeout')).toBe(true);
  });

  it('GM65: configure() reads and rewrites the mode and tail registers', async () => {
    const r = await rig({ profile: 'gm65', suffix: 'crlf', mode: 'trigger' });
    // A tiny GM65: registers 0x0000 = 0b1010_0110, 0x0060 = 0b1100_0101.
    const registers = new Map<number, number>([
      [0x0000, 0b1010_0110],
      [0x0060, 0b1100_0101],
    ]);
    let consumed = 0;
    const device = setInterval(() => {
      const all = received(r);
      while (all.length - consumed >= 9) {
        const cmd = all.subarray(consumed, consumed + 9);
        consumed += 9;
        const address = (cmd[4] << 8) | cmd[5];
        if (cmd[2] === 0x07) send(r.peer, Uint8Array.of(0x02, 0x00, 0x00, 0x01, registers.get(address) ?? 0, 0x00, 0x00));
        else if (cmd[2] === 0x08) {
          registers.set(address, cmd[6]);
          send(r.peer, GM65_WRITE_OK);
        }
      }
    }, 2);
    try {
      await r.driver.configure();
    } finally {
      clearInterval(device);
    }
    expect(registers.get(0x0000)).toBe(0b1010_0101); // mode bits 1-0 = 01 (command trigger)
    expect(registers.get(0x0060)).toBe(0b1010_0101); // tail bits 6-5 = 01 (CRLF), others kept
    expect([...received(r).subarray(0, 9)]).toEqual([...gm65Read(0x0000)]);
    expect(r.events).toEqual([]);
  });

  it('GM65: a reply arriving after its command timed out is still not a code', async () => {
    const r = await rig({ profile: 'gm65' });
    const error = await r.driver.trigger().catch((e: unknown) => e);
    expect(isPassgateError(error, 'driver.timeout')).toBe(true);
    send(r.peer, Buffer.concat([Buffer.from(GM65_WRITE_OK), Buffer.from('PG-LATE\r')]));
    await until(() => r.events.length >= 1);
    expect(r.events).toEqual([{ kind: 'code', source: 'serial-scanner', text: 'PG-LATE', symbology: 'unknown' }]);
  });

  it('configureOnOpen: a module that does not answer yields a read-error event, reading goes on', async () => {
    const r = await rig({ profile: 'gm65', configureOnOpen: true });
    await until(() => r.events.length >= 1, 2000);
    expect(r.events[0]).toEqual({ kind: 'read-error', source: 'serial-scanner', code: 'driver.timeout' });
    expect([...received(r).subarray(0, 9)]).toEqual([...gm65Read(0x0000)]);
    send(r.peer, 'PG-STILL\r');
    await until(() => r.events.length >= 2);
    expect(r.events[1]).toMatchObject({ kind: 'code', text: 'PG-STILL' });
  });

  it('opens with 7 data bits, even parity and 2 stop bits on a pty', async () => {
    const r = await rig({ dataBits: 7, parity: 'even', stopBits: 2, baudRate: 9600 });
    send(r.peer, 'PG-7E2\r');
    await until(() => r.events.length >= 1);
    expect(r.events[0]).toMatchObject({ kind: 'code', text: 'PG-7E2' });
  });

  it('Newland: sends #SCNTRG1 wrapped, and a NAK rejects with driver.frame-invalid', async () => {
    const r = await rig({ profile: 'newland' });
    const done = r.driver.trigger().catch((e: unknown) => e);
    const expected = newlandCommand('#', 'SCNTRG1');
    await until(() => received(r).length >= expected.length);
    expect(received(r).toString('latin1')).toBe('\x7e\x010000#SCNTRG1;\x03');
    send(r.peer, Buffer.concat([Buffer.from('\x02\x010000#SCNTRG1', 'latin1'), Buffer.from([0x15, 0x3b, 0x03])]));
    const error = await done;
    expect(isPassgateError(error, 'driver.frame-invalid')).toBe(true);
    expect(r.events).toEqual([]);
  });

  it('Honeywell: sends SYN T CR and expects no reply', async () => {
    const r = await rig({ profile: 'honeywell' });
    await r.driver.trigger();
    await until(() => received(r).length >= 3);
    expect([...received(r)]).toEqual([...HONEYWELL_TRIGGER]);
    expect([...received(r)]).toEqual([0x16, 0x54, 0x0d]);
  });

  it('survives unplug and replug at the same path, reading again within 2 s', async () => {
    const r = await rig();
    send(r.peer, 'PG-BEFORE\r');
    await until(() => r.events.length >= 1);
    await closePeer(r.peer);
    await r.pair.close();
    const lost = await until(() => r.states.find((s) => s.state === 'reconnecting'));
    expect(lost.lastError).toBe('driver.disconnected');
    // Plugged back in: same link paths, new pty underneath.
    await new Promise((res) => setTimeout(res, 300));
    r.pair = await openPtyPair(dirname(r.pair.devicePath));
    const back = Date.now();
    r.peer = await openPeer(r.pair.peerPath, r.fromDriver);
    await until(() => r.driver.status().state === 'open', 2000);
    expect(Date.now() - back).toBeLessThanOrEqual(2000);
    send(r.peer, 'PG-AFTER\r');
    await until(() => r.events.length >= 2, 1000);
    expect(r.events[1]).toEqual({ kind: 'code', source: 'serial-scanner', text: 'PG-AFTER', symbology: 'unknown' });
    expect(Date.now() - back).toBeLessThanOrEqual(2000);
  });

  it('keeps retrying a path that does not exist, and close() ends in closed', async () => {
    const driver = new SerialScannerDriver(serialScannerOptions({ path: '/nonexistent/serial/by-id/none' }), { timeouts });
    await driver.open();
    expect(driver.status()).toEqual({ name: 'serial-scanner', state: 'reconnecting', lastError: 'driver.open-failed' });
    await driver.close();
    expect(driver.status().state).toBe('closed');
  });
});
