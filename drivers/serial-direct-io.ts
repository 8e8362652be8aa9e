// Reads and writes of an open serial port straight on the event loop.
//
// serialport's Unix binding reads and writes its (non-blocking) descriptor through libuv's thread
// pool: every read or write of a few bytes wakes a worker thread and then the event loop, and every
// read that has taken the bytes there are is followed by one more that finds nothing (EAGAIN)
// before the binding waits on its poller. A GA 467 reader polled every idCardPollMs costs four such
// round trips a poll (the find command and its 10-byte reply), most of an idle gate's CPU; on a
// small ARM board or a virtual machine a thread wake-up is dear. The descriptor is opened
// non-blocking, so a read or write on the event loop returns at once: this does that, and waits on
// the binding's own poller (epoll, no thread) when the descriptor has nothing to give or no room.
// Anything that is not such a port (another platform's binding, a mock) is left as it is.
import { readSync, writeSync } from 'node:fs';

/** What this needs of an open port of serialport's Unix binding; the rest is passed through. */
interface UnixPortBinding {
  fd: number | null;
  readonly isOpen: boolean;
  poller: {
    once(event: 'readable' | 'writable', callback: (error: Error | null) => void): unknown;
    poll(flags: number): void;
  };
  read(buffer: Buffer, offset: number, length: number): Promise<{ bytesRead: number; buffer: Buffer }>;
  write(buffer: Buffer): Promise<void>;
}

/** A binding as serialport's stream uses it: `open` resolves with a port binding. */
export interface OpeningBinding {
  open(options: never): Promise<unknown>;
}

const RETRY_LATER = new Set(['EAGAIN', 'EWOULDBLOCK', 'EINTR']);

/** The binding, with every port it opens reading and writing on the event loop where it can. */
export function directIoBinding<B extends OpeningBinding>(binding: B): B {
  const wrapped = Object.create(binding) as B;
  wrapped.open = async (options: never) => {
    const port = await binding.open(options);
    if (isUnixPortBinding(port)) useDirectIo(port);
    return port;
  };
  return wrapped;
}

function isUnixPortBinding(port: unknown): port is UnixPortBinding {
  const candidate = port as Partial<UnixPortBinding> | null;
  return (
    typeof candidate?.fd === 'number' &&
    typeof candidate.poller?.once === 'function' &&
    typeof candidate.poller.poll === 'function' &&
    typeof candidate.read === 'function' &&
    typeof candidate.write === 'function'
  );
}

/** Replaces the port's read and write with direct ones; the close, the settings and the drain stay the binding's. */
function useDirectIo(port: UnixPortBinding): void {
  port.read = (buffer, offset, length) => readDirect(port, buffer, offset, length);
  port.write = (buffer) => writeDirect(port, buffer);
}

async function readDirect(
  port: UnixPortBinding,
  buffer: Buffer,
  offset: number,
  length: number,
): Promise<{ bytesRead: number; buffer: Buffer }> {
  const state = stateOf(port);
  // The last read took less than it could: the descriptor is empty, and trying again now would
  // only fail (an EAGAIN error built and thrown for nothing). Wait for bytes first.
  if (state.drained) await ready(port, 'readable');
  for (;;) {
    const fd = openFd(port);
    let bytesRead: number;
    try {
      bytesRead = readSync(fd, buffer, offset, length, null);
    } catch (error) {
      if (!RETRY_LATER.has(errnoCode(error))) throw error;
      bytesRead = 0;
    }
    if (bytesRead > 0) {
      state.drained = bytesRead < length;
      return { bytesRead, buffer };
    }
    await ready(port, 'readable');
  }
}

async function writeDirect(port: UnixPortBinding, buffer: Buffer): Promise<void> {
  let offset = 0;
  while (offset < buffer.length) {
    const fd = openFd(port);
    let written: number;
    try {
      written = writeSync(fd, buffer, offset, buffer.length - offset);
    } catch (error) {
      if (!RETRY_LATER.has(errnoCode(error))) throw error;
      written = 0;
    }
    offset += written;
    if (offset < buffer.length) await ready(port, 'writable');
  }
}

/** The descriptor; a port closed meanwhile ends the read or write as cancelled, as the binding's own do. */
function openFd(port: UnixPortBinding): number {
  if (port.fd === null || !port.isOpen) throw cancelled();
  return port.fd;
}

/** The binding poller's event flags (libuv's UV_READABLE and UV_WRITABLE). */
const POLL_FLAGS = { readable: 1, writable: 2 } as const;
type PollEvent = keyof typeof POLL_FLAGS;
/** Per port: the reads and writes waiting on the poller, and whether the last read emptied the descriptor. */
interface PortState extends Record<PollEvent, number> {
  drained: boolean;
}
const stateByPort = new WeakMap<UnixPortBinding, PortState>();

function stateOf(port: UnixPortBinding): PortState {
  let state = stateByPort.get(port);
  if (state === undefined) {
    state = { readable: 0, writable: 0, drained: false };
    stateByPort.set(port, state);
  }
  return state;
}

function ready(port: UnixPortBinding, event: PollEvent): Promise<void> {
  const counts = stateOf(port);
  return new Promise((resolve, reject) => {
    counts[event]++;
    port.poller.once(event, (error) => {
      counts[event]--;
      if (error) reject(error);
      else resolve();
    });
    // The native poller (re)starts its poll with the flags of the latest call alone: a write
    // waiting for room would silence a read waiting for bytes, and the other way round. Ask for both.
    port.poller.poll((counts.readable > 0 ? POLL_FLAGS.readable : 0) | (counts.writable > 0 ? POLL_FLAGS.writable : 0));
  });
}

/** serialport's stream ignores a failed read or write whose error says `canceled` (the port was closed). */
function cancelled(): Error {
  return Object.assign(new Error('Port is not open'), { canceled: true });
}

function errnoCode(error: unknown): string {
  return String((error as { code?: unknown } | null)?.code ?? '');
}
