// An open serial port as a plain event emitter over the descriptor of serialport's Unix binding.
//
// serialport's SerialPort is a Node Duplex stream: every chunk read goes through push(), the
// Readable buffer, flowing mode and a fresh binding.read() per chunk, and every write through the
// Writable queue and its callbacks. At a GA 467 poll every 500 ms and a scan every few hundred ms
// that machinery is a large share of an idle gate's CPU (docs/reliability/SOAK.md). A serial line
// needs none of it: the descriptor is non-blocking, so this reads it on the event loop whenever
// the binding's poller (epoll, no thread) says it is readable, until it is empty, and emits each
// read as it comes; a write goes straight to the descriptor and waits on the poller only for the
// part the kernel had no room for. The events, the close and the disconnect keep node-serialport's
// meaning (firmware/core/serial-port.ts), which the drivers' unplug handling relies on.
import { EventEmitter } from 'node:events';
import { readSync, writeSync } from 'node:fs';
import type { SerialPortLike } from '../firmware/core/serial-port.js';

/** What this needs of an open port of serialport's Unix binding (Linux and macOS). */
export interface DescriptorPortBinding {
  readonly fd: number | null;
  readonly isOpen: boolean;
  poller: {
    on(event: 'readable' | 'writable', listener: (error: Error | null) => void): unknown;
    /** Starts the poll for these flags alone (the native poller does not add them to earlier ones). */
    poll(flags: number): void;
  };
  /** Stops the poller (cancelling its waits) and closes the descriptor. */
  close(): Promise<void>;
}

/** The two system calls, injectable so the line's logic can be tested without a device. */
export interface DescriptorIo {
  /** Bytes read; 0 at end of file; throws (EAGAIN when empty, EIO/ENXIO when the device is gone). */
  read(fd: number, buffer: Buffer, offset: number, length: number): number;
  /** Bytes written, possibly fewer than asked; throws EAGAIN when there is no room. */
  write(fd: number, buffer: Uint8Array, offset: number, length: number): number;
}

export const systemDescriptorIo: DescriptorIo = {
  read: (fd, buffer, offset, length) => readSync(fd, buffer, offset, length, null),
  write: (fd, buffer, offset, length) => writeSync(fd, buffer, offset, length),
};

/** The binding poller's event flags (libuv's UV_READABLE and UV_WRITABLE). */
const READABLE = 1;
const WRITABLE = 2;
const RETRY_LATER = new Set(['EAGAIN', 'EWOULDBLOCK', 'EINTR']);
/**
 * Reads land in slices of one pool, as serialport's stream does, so a chunk needs no copy; the
 * chunk a listener gets is its own (the ID-card client zeroes it, and the card's bytes with it).
 */
const POOL_BYTES = 64 * 1024;
const MIN_READ_BYTES = 1024;

/** The error a close after a disconnect carries, as node-serialport's DisconnectedError. */
export class DisconnectedError extends Error {
  readonly disconnected = true;
}

interface PendingWrite {
  bytes: Uint8Array;
  offset: number;
  callback: ((error: Error | null | undefined) => void) | undefined;
}

export class SerialLine extends EventEmitter implements SerialPortLike {
  private readonly port: DescriptorPortBinding;
  private readonly io: DescriptorIo;
  private closing = false;
  private reading = false;
  private waitingReadable = false;
  private readonly writes: PendingWrite[] = [];
  private pool = Buffer.allocUnsafe(POOL_BYTES);
  private poolUsed = 0;
  private readCount = 0;

  constructor(port: DescriptorPortBinding, io: DescriptorIo = systemDescriptorIo) {
    super();
    this.port = port;
    this.io = io;
    // Listeners for the line's whole life: a wait is a flag and a poll, no closure per read.
    port.poller.on('readable', (error) => this.onReadable(error));
    port.poller.on('writable', (error) => this.onWritable(error));
    // Reading starts with the first 'data' listener: bytes that come before it wait in the kernel.
    this.on('newListener', (event: string | symbol) => {
      if (event === 'data' && !this.reading) {
        this.reading = true;
        this.waitReadable();
      }
    });
  }

  get isOpen(): boolean {
    return this.port.isOpen && !this.closing;
  }

  /** How many reads of the descriptor this line made: what shows a line that spins. */
  get reads(): number {
    return this.readCount;
  }

  write(data: string | Uint8Array, callback?: (error: Error | null | undefined) => void): boolean {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    if (!this.isOpen) {
      // serialport's stream would hold the write until an open that never comes.
      if (callback !== undefined) process.nextTick(callback, notOpen());
      return false;
    }
    this.writes.push({ bytes, offset: 0, callback });
    // Behind a write that waits for room, a later one waits its turn: bytes keep their order.
    if (this.writes.length === 1) this.writeQueued();
    return this.writes.length === 0;
  }

  /**
   * Closes the port. The callback (or, without one, 'error') gets 'Port is not open' for a port
   * not open, as serialport's; 'close' is emitted once the descriptor is closed.
   */
  close(callback?: (error: Error | null) => void): void {
    this.closeWith(null, callback);
  }

  private closeWith(disconnect: DisconnectedError | null, callback?: (error: Error | null) => void): void {
    if (!this.isOpen) {
      process.nextTick(() => this.failed(notOpen(), callback));
      return;
    }
    this.closing = true;
    this.waitingReadable = false;
    this.failWrites(disconnect ?? notOpen());
    this.port.close().then(
      () => {
        this.closing = false;
        this.emit('close', disconnect);
        callback?.(disconnect);
      },
      (error: Error) => {
        this.closing = false;
        this.failed(error, callback);
      },
    );
  }

  private failed(error: Error, callback?: (error: Error | null) => void): void {
    if (callback !== undefined) callback(error);
    else this.emit('error', error);
  }

  /** The device went away (a failed read or write, a poller error): close with the error. */
  private disconnected(error: Error): void {
    if ((error as { canceled?: boolean }).canceled === true || !this.isOpen) return;
    this.closeWith(new DisconnectedError(error.message));
  }

  private waitReadable(): void {
    if (!this.isOpen) return;
    this.waitingReadable = true;
    this.poll();
  }

  /** The native poller restarts its poll with the latest flags alone: ask for every wait there is. */
  private poll(): void {
    const flags = (this.waitingReadable ? READABLE : 0) | (this.writes.length > 0 ? WRITABLE : 0);
    if (flags !== 0 && this.isOpen) this.port.poller.poll(flags);
  }

  private onReadable(error: Error | null): void {
    // The native poller may report an event nobody waits for (it remembers every flag ever
    // polled); only a wait of this line's own leads to a read.
    if (!this.waitingReadable) return;
    this.waitingReadable = false;
    if (error !== null) this.disconnected(error);
    else this.readAvailable();
  }

  /** Reads until the descriptor is empty, then waits for more. */
  private readAvailable(): void {
    for (;;) {
      const fd = this.port.fd;
      if (!this.isOpen || fd === null) return;
      if (POOL_BYTES - this.poolUsed < MIN_READ_BYTES) {
        this.pool = Buffer.allocUnsafe(POOL_BYTES);
        this.poolUsed = 0;
      }
      const start = this.poolUsed;
      const room = POOL_BYTES - start;
      let bytesRead: number;
      this.readCount++;
      try {
        bytesRead = this.io.read(fd, this.pool, start, room);
      } catch (error) {
        if (RETRY_LATER.has(errnoCode(error))) break;
        this.disconnected(error as Error);
        return;
      }
      if (bytesRead === 0) {
        // End of file: on a terminal, a hang-up. Nothing more will come, and polling on would
        // only spin, so the line closes as unplugged.
        this.emit('end');
        this.disconnected(new Error('end of file on the serial line'));
        return;
      }
      this.poolUsed += bytesRead;
      this.emit('data', this.pool.subarray(start, start + bytesRead));
      // A read that did not fill its room emptied the descriptor: another would only fail.
      if (bytesRead < room) break;
    }
    this.waitReadable();
  }

  private onWritable(error: Error | null): void {
    if (this.writes.length === 0) return; // nobody waits (see onReadable)
    if (error !== null) {
      const canceled = (error as { canceled?: boolean }).canceled === true;
      if (!canceled) this.disconnected(error);
      this.failWrites(error);
      return;
    }
    this.writeQueued();
  }

  /** Writes the queue out; on a full descriptor, waits for room and carries on from there. */
  private writeQueued(): void {
    while (this.writes.length > 0) {
      const pending = this.writes[0] as PendingWrite;
      const fd = this.port.fd;
      if (!this.isOpen || fd === null) {
        this.failWrites(notOpen());
        return;
      }
      const left = pending.bytes.length - pending.offset;
      if (left > 0) {
        let written: number;
        try {
          written = this.io.write(fd, pending.bytes, pending.offset, left);
        } catch (error) {
          if (RETRY_LATER.has(errnoCode(error))) {
            this.poll();
            return;
          }
          this.failWrites(error as Error);
          this.disconnected(error as Error);
          return;
        }
        pending.offset += written;
        // The kernel took less than all: its buffer is full; wait for room instead of an EAGAIN.
        if (written < left) {
          this.poll();
          return;
        }
      }
      this.writes.shift();
      if (pending.callback !== undefined) process.nextTick(pending.callback, null);
    }
  }

  private failWrites(error: Error): void {
    for (const pending of this.writes.splice(0)) {
      if (pending.callback !== undefined) process.nextTick(pending.callback, error);
    }
  }
}

/** What serialport's stream gives a write or close on a closed port: `canceled`, not a disconnect. */
function notOpen(): Error {
  return Object.assign(new Error('Port is not open'), { canceled: true });
}

function errnoCode(error: unknown): string {
  return String((error as { code?: unknown } | null)?.code ?? '');
}

/** Whether an opened binding port is one this can drive (a descriptor and the native poller). */
export function isDescriptorPortBinding(port: unknown): port is DescriptorPortBinding {
  const candidate = port as Partial<DescriptorPortBinding> | null;
  return (
    typeof candidate?.fd === 'number' &&
    typeof candidate.poller?.on === 'function' &&
    typeof candidate.poller.poll === 'function' &&
    typeof candidate.close === 'function'
  );
}
