// The real ports as the drivers get them (drivers/serial-port.ts → SerialLine) on socat pty
// pairs, with serialport on the peer end as the device.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SerialLine } from '../../drivers/serial-line.js';
import { systemSerialPorts } from '../../drivers/serial-port.js';
import { closeSerialPort, type SerialPortLike, writeSerialPort } from '../../firmware/core/serial-port.js';
import { openDeviceEnd } from '../../scripts/lab/device-end.js';
import { openPtyPair } from '../../scripts/lab/pty-pair.js';
import { timerTurns, until } from '../support/polling.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function hostAndDevice() {
  const dir = mkdtempSync(join(tmpdir(), 'serial-line-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const pair = await openPtyPair(dir);
  cleanups.push(() => pair.close());
  const device = await openDeviceEnd(pair.peerPath);
  cleanups.push(() => device.close());
  const host = await systemSerialPorts.open({ path: pair.devicePath, baudRate: 115_200 });
  cleanups.push(() => closeSerialPort(host));
  expect(host).toBeInstanceOf(SerialLine);
  return { pair, device, host: host as SerialLine };
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

describe('serial lines on ptys', () => {
  it('carries more than a pty buffer each way, whole and in order', async () => {
    const { device, host } = await hostAndDevice();
    const fromHost: Buffer[] = [];
    device.onData((chunk) => fromHost.push(Buffer.from(chunk)));
    const toHost = collect(host);

    // Larger than the pty's buffer: the writes have to wait for room, and keep their order.
    const outgoing = pattern(200_000);
    const written = [
      writeSerialPort(host, outgoing.subarray(0, 150_000)),
      writeSerialPort(host, outgoing.subarray(150_000)),
    ];
    await Promise.all(written);
    await until(() => Buffer.concat(fromHost).length >= outgoing.length, undefined, 'the host write');
    expect(Buffer.concat(fromHost).equals(outgoing)).toBe(true);

    const incoming = pattern(150_000).reverse();
    device.write(incoming);
    await until(() => Buffer.concat(toHost).length >= incoming.length, undefined, 'the device write');
    expect(Buffer.concat(toHost).equals(incoming)).toBe(true);
  });

  it('takes bursts of random bytes, many writes of the device, whole and in order', async () => {
    const { device, host } = await hostAndDevice();
    const toHost = collect(host);
    const sent: Buffer[] = [];
    let seed = 12_345;
    for (let i = 0; i < 40; i++) {
      const burst = Buffer.alloc(1 + ((i * 977) % 5000));
      for (let j = 0; j < burst.length; j++) {
        seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
        burst[j] = seed >> 16;
      }
      sent.push(burst);
      device.write(burst);
    }
    const all = Buffer.concat(sent);
    await until(() => Buffer.concat(toHost).length >= all.length, undefined, 'the bursts');
    expect(Buffer.concat(toHost).equals(all)).toBe(true);
  });

  it('answers a short exchange again and again with one read a reply (the card reader poll)', async () => {
    const { device, host } = await hostAndDevice();
    device.onData((chunk) => device.write(Buffer.concat([Buffer.from('re:'), chunk])));
    const replies = collect(host);
    for (let i = 0; i < 50; i++) {
      const before = Buffer.concat(replies).length;
      await writeSerialPort(host, `q${i % 10}`);
      await until(() => Buffer.concat(replies).length >= before + 5, undefined, `reply ${i}`);
    }
    expect(Buffer.concat(replies).toString()).toBe(Array.from({ length: 50 }, (_, i) => `re:q${i % 10}`).join(''));
    // One read a chunk that arrived: none that only found the descriptor empty.
    expect(host.reads).toBe(replies.length);
  });

  it('closes with an error when the line goes away, and reads no more after it', async () => {
    const { pair, host } = await hostAndDevice();
    collect(host); // reading, as every driver does: the wait for bytes notices the hang-up
    const closes: (Error | null | undefined)[] = [];
    host.on('close', (error) => closes.push(error));
    await pair.close(); // socat gone: the pty hangs up, as an unplugged USB adapter
    await until(() => closes.length === 1, undefined, 'the close after the unplug');
    expect(closes[0]).toBeInstanceOf(Error);
    expect((closes[0] as { disconnected?: boolean }).disconnected).toBe(true);
    expect(host.isOpen).toBe(false);
    const reads = host.reads;
    await timerTurns(5, 10);
    expect(host.reads).toBe(reads);
    expect(closes).toHaveLength(1);
    const late = await writeSerialPort(host, 'late').catch((e: unknown) => e);
    expect(late).toMatchObject({ message: 'Port is not open' });
  });

  it('closes cleanly while a read waits: no error, a close without one', async () => {
    const { host } = await hostAndDevice();
    collect(host);
    const errors: Error[] = [];
    host.on('error', (error) => errors.push(error));
    const ended = new Promise<Error | null | undefined>((resolve) => host.on('close', resolve));
    await closeSerialPort(host);
    expect(await ended).toBeNull();
    expect(errors).toEqual([]);
  });

  it('keeps the exclusive lock: a second open of the same path fails', async () => {
    const { pair } = await hostAndDevice();
    const error = await systemSerialPorts.open({ path: pair.devicePath, baudRate: 115_200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
  });
});
