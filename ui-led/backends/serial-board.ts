// LEDs, buzzer and relay on a serial board (protocol: ui-led/SERIAL-BOARD.md).
// One command is outstanding at a time; each waits for its reply within serialBoardReplyMs.
// A board that goes away is reported through onFault and reopened lazily, at most once per
// serialBoardReopenMs, when the player next wants to change something.
// The port comes from an injected opener (ui-led may not import the drivers' serialport code);
// the real one loads serialport when the board is first opened: gates on GPIO never carry it.

import { type Clock, systemClock } from '../../firmware/core/clock.js';
import type { PassgateError } from '../../firmware/core/errors.js';
import { Listeners } from '../../firmware/core/listeners.js';
import { ReplyWaiter } from '../../firmware/core/reply-waiter.js';
import {
  closeSerialPort,
  type OpenSerialPort,
  type SerialPortLike,
  writeSerialPort,
} from '../../firmware/core/serial-port.js';
import type { TimeoutTable } from '../../firmware/core/timeouts.js';
import { backendFailed, type DisplayBackend } from '../backend.js';
import { allOutputsOff, OUTPUT_NAMES, type OutputChanges, type OutputState } from '../outputs.js';
import {
  BoardLineSplitter,
  type BoardReply,
  formatSetCommand,
  PING_COMMAND,
  parseBoardReply,
} from './serial-board-protocol.js';

export const SERIAL_BOARD_DEFAULT_BAUD = 115_200;

export interface SerialBoardOptions {
  path: string;
  baudRate?: number;
  timeouts: Pick<TimeoutTable, 'serialBoardReplyMs' | 'serialBoardReopenMs'>;
  /** Opens the board's port (the daemon passes the drivers' serialport opener). */
  openSerialPort: OpenSerialPort;
  clock?: Clock;
}

type Expect = 'ok' | 'pong';

/** A line from the board: its reply, or null for a line that is no reply at all (garbage). */
type BoardLine = BoardReply | null;

export class SerialBoardBackend implements DisplayBackend {
  readonly name = 'serial-board';
  private readonly clock: Clock;
  private readonly faults = new Listeners<PassgateError>();
  private readonly splitter = new BoardLineSplitter();
  private readonly replies: ReplyWaiter<BoardLine>;
  private port: SerialPortLike | null = null;
  /** The state the board should have; always sent whole. */
  private state: OutputState = allOutputsOff();
  private needsResync = false;
  private wanted = false; // open() was called and close() not yet
  private lastOpenAttempt = Number.NEGATIVE_INFINITY;
  private queue: Promise<unknown> = Promise.resolve();
  private discardedLines = 0;

  constructor(private readonly options: SerialBoardOptions) {
    this.clock = options.clock ?? systemClock;
    this.replies = new ReplyWaiter(this.clock);
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
    const { path, baudRate = SERIAL_BOARD_DEFAULT_BAUD } = this.options;
    let port: SerialPortLike;
    try {
      port = await this.options.openSerialPort({ path, baudRate });
    } catch (error) {
      throw backendFailed(this.name, 'open', error);
    }
    // An 'error' without a listener would throw out of the emitter and crash the process.
    port.on('error', () => undefined);
    this.port = port;
    this.splitter.reset();
    this.needsResync = false;
    port.on('data', (chunk: Buffer) => this.onData(chunk));
    port.on('close', (err) => this.onPortClosed(port, err));
    try {
      await this.command(PING_COMMAND, 'pong');
    } catch (error) {
      await this.closePort();
      throw backendFailed(this.name, 'open', error, { reason: 'no PONG' });
    }
  }

  private async closePort(): Promise<void> {
    const port = this.port;
    this.port = null;
    this.replies.cancelAll(backendFailed(this.name, 'set', undefined, { reason: 'closed' }));
    if (port) await closeSerialPort(port);
  }

  private onPortClosed(port: SerialPortLike, err: Error | null | undefined): void {
    if (this.port !== port) return; // closed by us
    this.port = null;
    const error = backendFailed(this.name, 'disconnected', err ?? undefined, { reason: 'disconnected' });
    this.replies.cancelAll(error);
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

  /** While resynchronising (`skipOthers`), every line but the expected one is skipped. */
  private async exchange(line: string, expect: Expect, skipOthers: boolean): Promise<void> {
    const port = this.port;
    if (!port) throw backendFailed(this.name, 'set', undefined, { reason: 'disconnected' });
    const replyMs = this.options.timeouts.serialBoardReplyMs;
    const reply = this.replies.waitFor(skipOthers ? (r) => r?.kind === expect : () => true, replyMs, () => {
      this.needsResync = true; // a late reply must not answer the next command
      return backendFailed(this.name, 'set', undefined, { reason: 'timeout', waitedMs: replyMs });
    });
    writeSerialPort(port, line).catch((err: unknown) => {
      reply.cancel(backendFailed(this.name, 'set', err, { reason: 'write failed' }));
    });
    const answer = await reply.promise;
    if (answer?.kind === expect) return;
    if (answer?.kind === 'err') {
      // A proper answer: the board is in step with us, it just refused.
      throw backendFailed(this.name, 'set', undefined, { reason: 'board error', boardReason: answer.reason });
    }
    this.discardedLines++;
    this.needsResync = true;
    throw backendFailed(this.name, 'set', undefined, { reason: answer ? `unexpected ${answer.kind}` : 'bad reply' });
  }

  private onData(chunk: Buffer): void {
    const { lines, discarded } = this.splitter.push(chunk);
    this.discardedLines += discarded;
    for (const line of lines) if (!this.replies.offer(parseLine(line))) this.discardedLines++;
  }
}

function parseLine(line: Buffer): BoardLine {
  try {
    return parseBoardReply(line);
  } catch {
    return null;
  }
}
