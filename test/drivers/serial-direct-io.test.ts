// Serial reads and writes on the event loop (drivers/serial-direct-io.ts), on real ports: the
// system opener over a socat pty pair, with serialport on the peer end as the device.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { directIoBinding } from '../../drivers/serial-direct-io.js';
import { systemSerialPorts } from '../../drivers/serial-port.js';
import { closeSerialPort, type SerialPortLike, writeSerialPort } from '../../firmware/core/serial-port.js';
import { openDeviceEnd } from '../../scripts/lab/device-end.js';
import { openPtyPair } from '../../scripts/lab/pty-pair.js';
import { until } from '../support/polling.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function hostAndDevice() {
  const dir = mkdtempSync(join(tmpdir(), 'direct-io-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const pair = await openPtyPair(dir);
  cleanups.push(() => pair.close());
  const device = await openDeviceEnd(pair.peerPath);
  cleanups.push(() => device.close());
  const host = await systemSerialPorts.open({ path: pair.devicePath, baudRate: 115_200 });
  cleanups.push(() => closeSerialPort(host));
  return { pair, device, host };
}

/** Bytes 0..255 over and over, so that a lost, doubled or reordered chunk shows. */
function pattern(size: number): Buffer {
  return Buffer.from(Array.from({ length: size }, (_, i) => (i * 7 + (i >> 8)) & 0xff));
}

function collect(port: SerialPortLike): Buffer[] {
  const chunks: Buffer[] = [];
  port.on('data', (chunk: Buffer) => chunks.push(Buffer.from(chunk)));
  return chunks;
}

describe('serial ports with direct reads and writes', () => {
  it('carries more than a pty buffer each way, whole and in order', async () => {
    const { device, host } = await hostAndDevice();
    const fromHost: Buffer[] = [];
    device.onData((chunk) => fromHost.push(Buffer.from(chunk)));
    const toHost = collect(host);

    // Larger than the pty's buffer: the write has to wait for room at least once.
    const outgoing = pattern(200_000);
    await writeSerialPort(host, outgoing);
    await until(() => Buffer.concat(fromHost).length >= outgoing.length, undefined, 'the host write');
    expect(Buffer.concat(fromHost).equals(outgoing)).toBe(true);

    const incoming = pattern(150_000).reverse();
    device.write(incoming);
    await until(() => Buffer.concat(toHost).length >= incoming.length, undefined, 'the device write');
    expect(Buffer.concat(toHost).equals(incoming)).toBe(true);
  });

  it('answers a short exchange again and again (the card reader poll)', async () => {
    const { device, host } = await hostAndDevice();
    device.onData((chunk) => device.write(Buffer.concat([Buffer.from('re:'), chunk])));
    const replies = collect(host);
    for (let i = 0; i < 50; i++) {
      const before = Buffer.concat(replies).length;
      await writeSerialPort(host, `q${i % 10}`);
      await until(() => Buffer.concat(replies).length >= before + 5, undefined, `reply ${i}`);
    }
    expect(Buffer.concat(replies).toString()).toBe(Array.from({ length: 50 }, (_, i) => `re:q${i % 10}`).join(''));
  });

  it('reports the line going away as a close with an error, and closes cleanly while a read waits', async () => {
    const first = await hostAndDevice();
    collect(first.host); // reading, as every driver does: a read notices the hang-up
    const closes: (Error | null | undefined)[] = [];
    first.host.on('close', (error) => closes.push(error));
    first.host.on('error', () => undefined);
    await first.device.close();
    await first.pair.close();
    await until(() => closes.length === 1, undefined, 'the close after the unplug');
    expect(closes[0]).toBeInstanceOf(Error);

    const second = await hostAndDevice();
    collect(second.host);
    const errors: Error[] = [];
    second.host.on('error', (error) => errors.push(error));
    const ended = new Promise<Error | null | undefined>((resolve) => second.host.on('close', resolve));
    await closeSerialPort(second.host);
    expect(await ended).toBeFalsy();
    expect(errors).toEqual([]);
  });

  it('leaves a port that is not a Unix descriptor port as the binding made it', async () => {
    const port = { path: '/dev/ttyMOCK0', read: async () => ({ bytesRead: 0 }) };
    const binding = { open: async (_options: { path: string }) => port, list: async () => [] };
    const wrapped = directIoBinding(binding);
    const opened = await wrapped.open({ path: '/dev/ttyMOCK0' } as never);
    expect(opened).toBe(port);
    expect(opened.read).toBe(port.read);
    expect(await wrapped.list()).toEqual([]);
  });
});
