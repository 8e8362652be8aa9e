// LEDs, buzzer and relay on a serial board (protocol: ui-led/SERIAL-BOARD.md).
// One command is outstanding at a time; each waits for its reply within serialBoardReplyMs.
// A board that goes away is reported through onFault and reopened lazily, at most once per
// serialBoardReopenMs, when the player next wants to change something.
// serialport is loaded when the board is first opened: gates on GPIO never carry its binding.
import type { SerialPort } from 'serialport';
import type { PassgateError } from '../../firmware/core/errors.js';
import type { TimeoutTable } from '../../firmware/core/timeouts.js';
import { Listeners } from '../../firmware/core/listeners.js';
import { backendFailed, type DisplayBackend } from '../backend.js';
import { systemClock, type Clock, type TimerHandle } from '../../firmware/core/clock.js';
import { OUTPUT_NAMES, allOutputsOff, type OutputChanges, type OutputState } from '../outputs.js';
import {
  BoardLineSplitter,
  PING_COMMAND,
  formatSetCommand,
  parseBoardReply,
  type BoardReply,
} from './serial-board-protocol.js';

export const SERIAL_BOARD_DEFAULT_BAUD = 115_200;

export interface SerialBoardOptions {
  path: string;
  baudRate?: number;
  timeouts: Pick<TimeoutTable, 'serialBoardReplyMs' | 'serialBoardReopenMs'>;
  clock?: Clock;
}

type Expect = 'ok' | 'pong';

interface PendingReply {
  expect: Expect;
  /** While resynchronising: skip every line until the expected one. */
  skipOthers: boolean;
  resolve: () => void;
  reject: (error: PassgateError) => void;
  timer: TimerHandle;
}

export class SerialBoardBackend implements DisplayBackend {
  readonly name = 'serial-board';
  private readonly clock: Clock;
  private readonly faults = new Listeners<PassgateError>();
  private readonly splitter = new BoardLineSplitter();
  private port: SerialPort | null = null;
  /** The state the board should have; always sent whole. */
  private state: OutputState = allOutputsOff();
  private pending: PendingReply | null = null;
  private needsResync = false;
  private wanted = false; // open() was called and close() not yet
  private lastOpenAttempt = Number.NEGATIVE_INFINITY;
  private queue: Promise<unknown> = Promise.resolve();
  private discardedLines = 0;

  constructor(private readonly options: SerialBoardOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /** Lines from the board that were garbage or unexpected, since construction. */
  discarded(): number {
    return this.discardedLines;
  }

  open(): Promise<void> {
    this.wanted = true;
    this.state = allOutputsOff();
    return this.enqueue(async () => {
      await this.connect();
      await this.command(formatSetCommand(this.state), 'ok');
    });
  }

  set(changes: OutputChanges): Promise<void> {
    for (const name of OUTPUT_NAMES) if (changes[name] !== undefined) this.state[name] = changes[name];
    const line = () => formatSetCommand(this.state); // the state as it is when the command goes out
    return this.enqueue(async () => {
      if (!this.port) {
        if (!this.wanted) throw backendFailed(this.name, 'set', undefined, { reason: 'not open' });
        if (this.clock.now() - this.lastOpenAttempt < this.options.timeouts.serialBoardReopenMs) {
          throw backendFailed(this.name, 'set', undefined, { reason: 'disconnected' });
        }
        await this.connect();
      }
      await this.command(line(), 'ok');
    });
  }

  onFault(listener: (error: PassgateError) => void): () => void {
    return this.faults.add(listener);
  }

  async close(): Promise<void> {
    this.wanted = false;
    this.state = allOutputsOff();
    await this.enqueue(async () => {
      if (!this.port) return;
      await this.command(formatSetCommand(this.state), 'ok').catch(() => undefined);
      await this.closePort();
    }).catch(() => undefined);
  }

  // ---- port ------------------------------------------------------------------------------------

  private enqueue(work: () => Promise<void>): Promise<void> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async connect(): Promise<void> {
    this.lastOpenAttempt = this.clock.now();
    const { SerialPort } = await import('serialport');
    const port = new SerialPort({ path: this.options.path, baudRate: this.options.baudRate ?? SERIAL_BOARD_DEFAULT_BAUD, autoOpen: false });
    // An 'error' without a listener would throw out of the emitter and crash the process.
    port.on('error', () => undefined);
    try {
      await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    } catch (error) {
      throw backendFailed(this.name, 'open', error);
    }
    this.port = port;
    this.splitter.reset();
    this.needsResync = false;
    port.on('data', (chunk: Buffer) => this.onData(chunk));
    port.on('close', (err: (Error & { disconnected?: boolean }) | null) => this.onPortClosed(port, err));
    try {
      await this.command(PING_COMMAND, 'pong');
    } catch (error) {
      await this.closePort();
      throw backendFailed(this.name, 'open', error, { reason: 'no PONG' });
    }
  }

  private closePort(): Promise<void> {
    const port = this.port;
    this.port = null;
    this.failPending(backendFailed(this.name, 'set', undefined, { reason: 'closed' }));
    if (!port || !port.isOpen) return Promise.resolve();
    return new Promise((resolve) => port.close(() => resolve()));
  }

  private onPortClosed(port: SerialPort, err: (Error & { disconnected?: boolean }) | null): void {
    if (this.port !== port) return; // closed by us
    this.port = null;
    const error = backendFailed(this.name, 'disconnected', err ?? undefined, { reason: 'disconnected' });
    this.failPending(error);
    this.faults.emit(error);
  }

  // ---- commands --------------------------------------------------------------------------------

  private async command(line: string, expect: Expect): Promise<void> {
    if (this.needsResync) {
      await this.exchange(PING_COMMAND, 'pong', true);
      this.needsResync = false;
    }
    await this.exchange(line, expect, false);
  }

  private exchange(line: string, expect: Expect, skipOthers: boolean): Promise<void> {
    const port = this.port;
    if (!port) return Promise.reject(backendFailed(this.name, 'set', undefined, { reason: 'disconnected' }));
    return new Promise<void>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        if (this.pending?.timer !== timer) return;
        this.pending = null;
        this.needsResync = true; // a late reply must not answer the next command
        reject(backendFailed(this.name, 'set', undefined, { reason: 'timeout', waitedMs: this.options.timeouts.serialBoardReplyMs }));
      }, this.options.timeouts.serialBoardReplyMs);
      this.pending = { expect, skipOthers, resolve, reject, timer };
      port.write(line, (err) => {
        if (err && this.pending?.timer === timer) this.settle(backendFailed(this.name, 'set', err, { reason: 'write failed' }));
      });
    });
  }

  private onData(chunk: Buffer): void {
    const { lines, discarded } = this.splitter.push(chunk);
    this.discardedLines += discarded;
    for (const line of lines) this.onLine(line);
  }

  private onLine(line: Buffer): void {
    const pending = this.pending;
    let reply: BoardReply | null = null;
    try {
      reply = parseBoardReply(line);
    } catch {
      reply = null;
    }
    if (!pending) {
      this.discardedLines++;
      return;
    }
    if (reply?.kind === pending.expect) return this.settle(null);
    if (pending.skipOthers) {
      this.discardedLines++;
      return;
    }
    if (reply?.kind === 'err') {
      // A proper answer: the board is in step with us, it just refused.
      return this.settle(backendFailed(this.name, 'set', undefined, { reason: 'board error', boardReason: reply.reason }));
    }
    this.discardedLines++;
    this.needsResync = true;
    this.settle(backendFailed(this.name, 'set', undefined, { reason: reply ? `unexpected ${reply.kind}` : 'bad reply' }));
  }

  private settle(error: PassgateError | null): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    this.clock.clearTimeout(pending.timer);
    if (error) pending.reject(error);
    else pending.resolve();
  }

  private failPending(error: PassgateError): void {
    if (this.pending) this.settle(error);
  }
}
