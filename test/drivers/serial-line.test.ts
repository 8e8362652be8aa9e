// The serial line's logic (drivers/serial-line.ts) without a device: a poller the test fires and
// a descriptor whose reads and writes the test scripts. The same line on real ptys is in
// serial-line-pty.test.ts.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { type DescriptorIo, type DescriptorPortBinding, SerialLine } from '../../drivers/serial-line.js';
import { writeSerialPort } from '../../firmware/core/serial-port.js';

const READABLE = 1;
const WRITABLE = 2;

function errno(code: string): Error {
  return Object.assign(new Error(`${code}: system call failed`), { code });
}

/** The binding's port: a descriptor number, a poller that records its polls, a close. */
class FakePort implements DescriptorPortBinding {
  fd: number | null = 7;
  readonly poller = Object.assign(new EventEmitter(), {
    polls: [] as number[],
    poll(flags: number) {
      this.polls.push(flags);
    },
  });
  closes = 0;

  get isOpen(): boolean {
    return this.fd !== null;
  }

  async close(): Promise<void> {
    this.closes++;
    this.fd = null;
    // As the native poller's stop: every wait is cancelled.
    const canceled = Object.assign(new Error('Canceled'), { canceled: true });
    this.poller.emit('readable', canceled);
    this.poller.emit('writable', canceled);
  }

  lastPoll(): number | undefined {
    return this.poller.polls.at(-1);
  }
}

/** A descriptor: bytes the device sent wait in `incoming`; writes take at most `room` bytes. */
class FakeDescriptor implements DescriptorIo {
  incoming: Buffer = Buffer.alloc(0);
  readFailure: Error | undefined;
  endOfFile = false;
  written: Buffer[] = [];
  room = Number.POSITIVE_INFINITY;
  writeFailure: Error | undefined;

  read(_fd: number, buffer: Buffer, offset: number, length: number): number {
    if (this.readFailure !== undefined) throw this.readFailure;
    if (this.incoming.length === 0) {
      if (this.endOfFile) return 0;
      throw errno('EAGAIN');
    }
    const taken = this.incoming.subarray(0, length);
    taken.copy(buffer, offset);
    this.incoming = this.incoming.subarray(taken.length);
    return taken.length;
  }

  write(_fd: number, buffer: Uint8Array, offset: number, length: number): number {
    if (this.writeFailure !== undefined) throw this.writeFailure;
    const taken = Math.min(length, this.room);
    if (taken === 0) throw errno('EAGAIN');
    this.written.push(Buffer.from(buffer.subarray(offset, offset + taken)));
    this.room -= taken;
    return taken;
  }
}

function line() {
  const port = new FakePort();
  const descriptor = new FakeDescriptor();
  const serial = new SerialLine(port, descriptor);
  const chunks: Buffer[] = [];
  const closes: (Error | null | undefined)[] = [];
  serial.on('close', (error) => closes.push(error));
  return {
    port,
    descriptor,
    serial,
    chunks,
    closes,
    listen: () => serial.on('data', (c) => chunks.push(Buffer.from(c))),
  };
}

function pattern(size: number): Buffer {
  return Buffer.from(Array.from({ length: size }, (_, i) => (i * 13 + (i >> 8)) & 0xff));
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('serial line over a descriptor', () => {
  it('reads nothing before a data listener, then waits on the poller, not on a failing read', () => {
    const { port, descriptor, serial, listen } = line();
    descriptor.incoming = Buffer.from('early');
    expect(port.poller.polls).toEqual([]);
    listen();
    expect(port.poller.polls).toEqual([READABLE]);
    expect(serial.reads).toBe(0);
  });

  it('takes a short reply with one read per readable: a short read means the descriptor is empty', () => {
    const { port, descriptor, serial, chunks, listen } = line();
    listen();
    for (let i = 0; i < 5; i++) {
      descriptor.incoming = Buffer.from(`reply-${i}`);
      port.poller.emit('readable', null);
    }
    expect(Buffer.concat(chunks).toString()).toBe('reply-0reply-1reply-2reply-3reply-4');
    expect(serial.reads).toBe(5);
    expect(port.lastPoll()).toBe(READABLE);
  });

  it('carries a burst larger than its read buffers whole and in order, each chunk its own bytes', () => {
    const { port, descriptor, chunks, listen } = line();
    listen();
    const burst = pattern(300_000);
    descriptor.incoming = burst;
    port.poller.emit('readable', null);
    expect(chunks.length).toBeGreaterThan(4);
    expect(Buffer.concat(chunks).equals(burst)).toBe(true);
    // An event nobody waits for (the native poller remembers old flags) reads nothing.
    const polls = port.poller.polls.length;
    port.poller.emit('writable', null);
    expect(port.poller.polls.length).toBe(polls);
  });

  it('hands every listener a chunk it may zero without touching the next one', () => {
    const { port, descriptor, serial } = line();
    const seen: string[] = [];
    serial.on('data', (chunk: Buffer) => {
      seen.push(chunk.toString());
      chunk.fill(0); // as the ID-card client does with a card's bytes
    });
    descriptor.incoming = Buffer.from('first');
    port.poller.emit('readable', null);
    descriptor.incoming = Buffer.from('second');
    port.poller.emit('readable', null);
    expect(seen).toEqual(['first', 'second']);
  });

  it('writes what the descriptor has no room for once the poller says writable, in order', async () => {
    const { port, descriptor, serial } = line();
    descriptor.room = 3;
    const done: string[] = [];
    serial.write('abcdef', () => done.push('first'));
    serial.write(Uint8Array.from([0x67, 0x68]), () => done.push('second'));
    expect(port.lastPoll()).toBe(WRITABLE);
    // Reading goes on while a write waits: both flags are polled.
    serial.on('data', () => undefined);
    expect(port.lastPoll()).toBe(READABLE | WRITABLE);
    for (let i = 0; i < 3; i++) {
      await settle();
      descriptor.room = 2;
      port.poller.emit('writable', null);
    }
    await settle();
    expect(Buffer.concat(descriptor.written).toString()).toBe('abcdefgh');
    expect(done).toEqual(['first', 'second']);
  });

  it('closes as unplugged after a read fails with EIO, and reads no more', async () => {
    const { port, descriptor, serial, closes, listen } = line();
    listen();
    descriptor.readFailure = errno('EIO');
    port.poller.emit('readable', null);
    await settle();
    expect(closes).toHaveLength(1);
    expect(closes[0]).toBeInstanceOf(Error);
    expect((closes[0] as { disconnected?: boolean }).disconnected).toBe(true);
    expect(port.closes).toBe(1);
    expect(serial.isOpen).toBe(false);
    const reads = serial.reads;
    const polls = port.poller.polls.length;
    port.poller.emit('readable', null);
    port.poller.emit('readable', null);
    expect(serial.reads).toBe(reads);
    expect(port.poller.polls.length).toBe(polls);
  });

  it('closes as unplugged when the poller reports an error (a hang-up)', async () => {
    const { port, closes, listen } = line();
    listen();
    port.poller.emit('readable', new Error('bad file descriptor'));
    await settle();
    expect((closes[0] as { disconnected?: boolean } | undefined)?.disconnected).toBe(true);
  });

  it('ends and closes as unplugged at end of file, after one read, without polling again', async () => {
    const { port, descriptor, serial, closes, listen } = line();
    const events: string[] = [];
    serial.on('end', () => events.push('end'));
    listen();
    descriptor.endOfFile = true;
    const polls = port.poller.polls.length;
    port.poller.emit('readable', null);
    await settle();
    expect(events).toEqual(['end']);
    expect(serial.reads).toBe(1);
    expect(port.poller.polls.length).toBe(polls);
    expect((closes[0] as { disconnected?: boolean } | undefined)?.disconnected).toBe(true);
  });

  it('fails a write whose descriptor is gone and closes as unplugged', async () => {
    const { descriptor, serial, closes } = line();
    descriptor.writeFailure = errno('EIO');
    const error = await writeSerialPort(serial, 'x').catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('EIO');
    await settle();
    expect((closes[0] as { disconnected?: boolean } | undefined)?.disconnected).toBe(true);
  });

  it('closes cleanly while a read and a write wait; a write or close afterwards fails cleanly', async () => {
    const { port, descriptor, serial, closes, listen } = line();
    listen();
    descriptor.room = 0;
    const waiting = writeSerialPort(serial, 'stuck').catch((e: unknown) => e);
    const closed = new Promise<Error | null>((resolve) => serial.close(resolve));
    expect(serial.isOpen).toBe(false);
    expect(await closed).toBeNull();
    expect(closes).toEqual([null]);
    expect(await waiting).toMatchObject({ message: 'Port is not open' });

    const late = await writeSerialPort(serial, 'late').catch((e: unknown) => e);
    expect(late).toMatchObject({ message: 'Port is not open' });
    const again = await new Promise<Error | null>((resolve) => serial.close(resolve));
    expect(again).toMatchObject({ message: 'Port is not open' });
    const errors: Error[] = [];
    serial.on('error', (error) => errors.push(error));
    serial.close();
    await settle();
    expect(errors).toHaveLength(1);
    expect(port.closes).toBe(1);
    expect(descriptor.written).toEqual([]);
  });
});
