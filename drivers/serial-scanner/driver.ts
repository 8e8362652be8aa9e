// A QR scanner on a serial line (TTL UART, RS-232 or USB-CDC), read with serialport.
// Codes become InputEvents; module replies are kept apart by the profile's recogniser and matched
// to their command by a ReplyWaiter; an unplugged device is reopened as soon as its path is back.
// Modem lines are never touched (their ioctls fail on ptys and on many CDC adapters).

import { type Clock, systemClock } from '../../firmware/core/clock.js';
import { type ErrorCode, PassgateError } from '../../firmware/core/errors.js';
import { type ReplyWait, ReplyWaiter } from '../../firmware/core/reply-waiter.js';
import { closeSerialPort, type SerialPortLike, writeSerialPort } from '../../firmware/core/serial-port.js';
import type { TimeoutTable } from '../../firmware/core/timeouts.js';
import { ReconnectingInputDriver } from '../input-driver-base.js';
import { asDriverError } from '../reconnect.js';
import { type SerialPorts, systemSerialPorts } from '../serial-port.js';
import { type ScanFrame, ScanFrameFeed, ScanFrameParser } from './frame-parser.js';
import type { SerialScannerOptions } from './options.js';
import { SCANNER_PROFILES, type ScannerProfile } from './profiles.js';

export type SerialScannerTimeouts = Pick<
  TimeoutTable,
  | 'driverReopenInitialMs'
  | 'driverReopenMaxMs'
  | 'driverPathPollMs'
  | 'serialInterByteMs'
  | 'serialFrameIdleMs'
  | 'serialCommandReplyMs'
>;

export interface SerialScannerDeps {
  timeouts: SerialScannerTimeouts;
  /** Event source name; default 'serial-scanner'. */
  name?: string;
  /** Default: the system's ports through serialport. Unit tests pass serialport's mock binding. */
  ports?: SerialPorts;
  /** Runs the command reply deadline and stamps the events' arrival; default the system clock. */
  clock?: Clock;
}

type ReplyFrame = Extract<ScanFrame, { kind: 'reply' }>;

interface OpenPort {
  port: SerialPortLike;
  frames: ScanFrameFeed;
  /** Replies of this port only: a late one from a port already lost can answer nothing. */
  replies: ReplyWaiter<ReplyFrame>;
}

const DISCARD_CODES: Readonly<Record<string, ErrorCode | undefined>> = {
  overlong: 'driver.overlong',
  'invalid-utf8': 'driver.encoding',
  incomplete: 'driver.frame-invalid',
  empty: undefined, // a blank line: nothing was scanned
};

export class SerialScannerDriver extends ReconnectingInputDriver<OpenPort> {
  readonly options: SerialScannerOptions;
  readonly profile: ScannerProfile;
  private readonly timeouts: SerialScannerTimeouts;
  private readonly ports: SerialPorts;
  private readonly clock: Clock;
  /** Commands run one at a time: a reply belongs to the last command sent. */
  private commandQueue: Promise<unknown> = Promise.resolve();

  constructor(options: SerialScannerOptions, deps: SerialScannerDeps) {
    const ports = deps.ports ?? systemSerialPorts;
    super(deps.name ?? 'serial-scanner', {
      timeouts: deps.timeouts,
      isPresent: () => ports.exists(options.path),
      isFatal: (error) => error.code === 'config.invalid-value',
    });
    this.options = options;
    this.timeouts = deps.timeouts;
    this.ports = ports;
    this.clock = deps.clock ?? systemClock;
    this.profile = SCANNER_PROFILES[options.profile];
  }

  override async close(): Promise<void> {
    this.device?.replies.close(new PassgateError('driver.disconnected', 'the scanner driver was closed'));
    await super.close();
  }

  /**
   * Sends the profile's software trigger. Resolves once sent (and acknowledged, for modules that
   * answer). Rejects with `driver.disconnected`, `driver.timeout` or `driver.frame-invalid`.
   * The generic profile has no trigger: it resolves without sending anything.
   */
  trigger(): Promise<void> {
    const command = this.profile.trigger();
    if (command === undefined) return Promise.resolve();
    return this.enqueue(async () => {
      await this.exchange(command.bytes, command.expectsReply, command.description);
    });
  }

  /** Runs the profile's configuration steps (suffix, mode), each acknowledged by the module. */
  configure(): Promise<void> {
    return this.enqueue(async () => {
      const steps = this.profile.configure({
        suffix: this.options.suffix,
        mode: this.options.mode,
        persist: this.options.persistConfiguration,
      });
      let previous: Uint8Array | undefined;
      for (const step of steps) {
        previous = await this.exchange(step.build(previous), step.expectsReply, step.description);
      }
    });
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.commandQueue.then(work, work);
    this.commandQueue = run.catch(() => undefined);
    return run;
  }

  private async exchange(
    bytes: Uint8Array,
    expectsReply: boolean,
    description: string,
  ): Promise<Uint8Array | undefined> {
    const handle = this.device;
    if (handle === undefined) throw new PassgateError('driver.disconnected', 'the scanner is not open');
    const reply = expectsReply ? this.waitForReply(handle, description) : undefined;
    try {
      await writeSerialPort(handle.port, Buffer.from(bytes));
    } catch (error) {
      const failure = asDriverError(error, 'driver.disconnected');
      reply?.cancel(failure);
      throw failure;
    }
    if (reply === undefined) return undefined;
    const frame = await reply.promise;
    if (!frame.ok) throw new PassgateError('driver.frame-invalid', 'the scanner refused a command');
    return frame.data;
  }

  /** Registered before the command is written, so a fast reply is never taken for a code. */
  private waitForReply(handle: OpenPort, description: string): ReplyWait<ReplyFrame> {
    handle.frames.parser.expectReply(true);
    return handle.replies.waitFor(
      () => true,
      this.timeouts.serialCommandReplyMs,
      () => {
        handle.frames.parser.expectReply(false);
        return new PassgateError('driver.timeout', 'the scanner did not answer a command', { step: description });
      },
    );
  }

  protected async openDevice(): Promise<OpenPort> {
    const { path, baudRate, dataBits, parity, stopBits, suffix, prefix, stripAimId, maxCodeLength } = this.options;
    let port: SerialPortLike;
    try {
      port = await this.ports.open({ path, baudRate, dataBits, parity, stopBits, hupcl: false });
    } catch (error) {
      throw asDriverError(error, 'driver.open-failed');
    }
    const parser = new ScanFrameParser({ suffix, prefix, stripAimId, maxCodeLength, replies: this.profile.replies });
    const idleMs = suffix === 'none' ? this.timeouts.serialInterByteMs : this.timeouts.serialFrameIdleMs;
    const handle: OpenPort = {
      port,
      frames: new ScanFrameFeed(
        parser,
        idleMs,
        (frame) => this.handleFrame(handle, frame),
        () => this.clock.now(),
      ),
      replies: new ReplyWaiter<ReplyFrame>(this.clock),
    };
    return handle;
  }

  protected attachDevice(handle: OpenPort): void {
    const { port, frames } = handle;
    port.on('data', (chunk: Buffer) => frames.push(chunk));
    port.on('end', () => frames.end());
    port.on('error', (error: Error) => {
      this.lost(handle, asDriverError(error, 'driver.disconnected'));
      void this.releaseDevice(handle);
    });
    port.on('close', (error?: Error | null) => {
      this.lost(handle, error ?? new PassgateError('driver.disconnected', 'the serial port closed'));
      frames.close();
    });
    if (this.options.configureOnOpen) {
      this.configure().catch((error: unknown) => {
        const code = asDriverError(error, 'driver.frame-invalid').code;
        this.emitEvent({ kind: 'read-error', source: this.name, code, arrivedAt: this.clock.now() });
      });
    }
  }

  protected override deviceLost(handle: OpenPort): void {
    handle.replies.close(new PassgateError('driver.disconnected', 'the scanner went away'));
  }

  protected async releaseDevice(handle: OpenPort): Promise<void> {
    handle.frames.close();
    await closeSerialPort(handle.port);
  }

  private handleFrame(handle: OpenPort, frame: ScanFrame): void {
    // The stream stamps every frame with its first byte's arrival.
    const arrivedAt = frame.arrivedAt ?? this.clock.now();
    switch (frame.kind) {
      case 'code':
        this.emitEvent({ kind: 'code', source: this.name, text: frame.text, symbology: frame.symbology, arrivedAt });
        return;
      case 'reply':
        // A reply nobody waits for (its command timed out) is dropped: it is never a code.
        handle.replies.offer(frame);
        return;
      case 'discarded': {
        const code = DISCARD_CODES[frame.reason];
        if (code !== undefined) this.emitEvent({ kind: 'read-error', source: this.name, code, arrivedAt });
        return;
      }
    }
  }
}
