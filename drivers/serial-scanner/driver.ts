// A QR scanner on a serial line (TTL UART, RS-232 or USB-CDC), read with serialport.
// Codes become InputEvents; module replies are kept apart by the profile's recogniser; an
// unplugged device is reopened by the Reconnector as soon as its path is back.
// Modem lines are never touched (their ioctls fail on ptys and on many CDC adapters).
import { SerialPort } from 'serialport';
import type { DriverStatus, InputDriver, InputEvent } from '../input.js';
import { driverStatus } from '../input.js';
import { Listeners } from '../../firmware/core/listeners.js';
import { PassgateError, type ErrorCode } from '../../firmware/core/errors.js';
import type { TimeoutTable } from '../../firmware/core/timeouts.js';
import { Reconnector, asDriverError, pathExists } from '../reconnect.js';
import { ScanFrameParser, ScanFrameStream, type ScanFrame } from './frame-parser.js';
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
}

interface OpenPort {
  port: SerialPort;
  frames: ScanFrameStream;
}

interface PendingReply {
  resolve(data: Uint8Array): void;
  reject(error: PassgateError): void;
}

const DISCARD_CODES: Readonly<Record<string, ErrorCode | undefined>> = {
  overlong: 'driver.overlong',
  'invalid-utf8': 'driver.encoding',
  incomplete: 'driver.frame-invalid',
  empty: undefined, // a blank line: nothing was scanned
};

export class SerialScannerDriver implements InputDriver {
  readonly name: string;
  readonly options: SerialScannerOptions;
  readonly profile: ScannerProfile;
  private readonly timeouts: SerialScannerTimeouts;
  private readonly events = new Listeners<InputEvent>();
  private readonly states = new Listeners<DriverStatus>();
  private readonly reconnector: Reconnector<OpenPort>;
  private pendingReply: PendingReply | undefined;
  /** Commands run one at a time: a reply belongs to the last command sent. */
  private commandQueue: Promise<unknown> = Promise.resolve();

  constructor(options: SerialScannerOptions, deps: SerialScannerDeps) {
    this.options = options;
    this.timeouts = deps.timeouts;
    this.name = deps.name ?? 'serial-scanner';
    this.profile = SCANNER_PROFILES[options.profile];
    this.reconnector = new Reconnector<OpenPort>({
      open: () => this.openPort(),
      onOpen: (handle) => this.attach(handle),
      onClosed: () => this.failPending(new PassgateError('driver.disconnected', 'the scanner went away')),
      onState: () => this.states.emit(this.status()),
      isPresent: pathExists(options.path),
      release: (handle) => this.closePort(handle),
      isFatal: (error) => error.code === 'config.invalid-value',
      timeouts: deps.timeouts,
    });
  }

  status(): DriverStatus {
    return driverStatus(this.name, this.reconnector.state, this.reconnector.error);
  }

  open(): Promise<void> {
    return this.reconnector.start();
  }

  async close(): Promise<void> {
    this.failPending(new PassgateError('driver.disconnected', 'the scanner driver was closed'));
    await this.reconnector.stop();
  }

  onEvent(listener: (event: InputEvent) => void): () => void {
    return this.events.add(listener);
  }

  onState(listener: (status: DriverStatus) => void): () => void {
    return this.states.add(listener);
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

  private async exchange(bytes: Uint8Array, expectsReply: boolean, description: string): Promise<Uint8Array | undefined> {
    const handle = this.reconnector.handle;
    if (handle === undefined) throw new PassgateError('driver.disconnected', 'the scanner is not open');
    let reply: Promise<Uint8Array> | undefined;
    if (expectsReply) {
      handle.frames.parser.expectReply(true);
      reply = new Promise<Uint8Array>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.pendingReply = undefined;
          handle.frames.parser.expectReply(false);
          reject(new PassgateError('driver.timeout', 'the scanner did not answer a command', { step: description }));
        }, this.timeouts.serialCommandReplyMs);
        this.pendingReply = {
          resolve: (data) => {
            clearTimeout(timer);
            resolve(data);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        };
      });
      // A rejection before we await it must not count as unhandled.
      reply.catch(() => undefined);
    }
    await new Promise<void>((resolve, reject) => {
      handle.port.write(Buffer.from(bytes), (error) => (error ? reject(asDriverError(error, 'driver.disconnected')) : resolve()));
    }).catch((error: unknown) => {
      this.failPending(asDriverError(error, 'driver.disconnected'));
      throw error;
    });
    if (reply === undefined) return undefined;
    return reply;
  }

  private failPending(error: PassgateError): void {
    const pending = this.pendingReply;
    this.pendingReply = undefined;
    pending?.reject(error);
  }

  private async openPort(): Promise<OpenPort> {
    const { path, baudRate, dataBits, parity, stopBits, suffix, prefix, stripAimId, maxCodeLength } = this.options;
    const port = new SerialPort({ path, baudRate, dataBits, parity, stopBits, autoOpen: false, hupcl: false });
    await new Promise<void>((resolve, reject) => {
      port.open((error) => (error ? reject(asDriverError(error, 'driver.open-failed')) : resolve()));
    });
    const parser = new ScanFrameParser({ suffix, prefix, stripAimId, maxCodeLength, replies: this.profile.replies });
    const idleMs = suffix === 'none' ? this.timeouts.serialInterByteMs : this.timeouts.serialFrameIdleMs;
    const frames = new ScanFrameStream(parser, idleMs);
    return { port, frames };
  }

  private attach(handle: OpenPort): void {
    const { port, frames } = handle;
    frames.on('data', (frame: ScanFrame) => this.handleFrame(frame));
    port.pipe(frames);
    port.on('error', (error: Error) => {
      this.reconnector.lost(handle, asDriverError(error, 'driver.disconnected'));
      void this.closePort(handle);
    });
    port.on('close', (error?: Error | null) => {
      this.reconnector.lost(handle, error ?? new PassgateError('driver.disconnected', 'the serial port closed'));
      port.unpipe(frames);
      frames.destroy();
    });
    if (this.options.configureOnOpen) {
      this.configure().catch((error: unknown) => {
        this.events.emitIgnoringFailures({ kind: 'read-error', source: this.name, code: asDriverError(error, 'driver.frame-invalid').code });
      });
    }
  }

  private async closePort(handle: OpenPort): Promise<void> {
    handle.port.unpipe(handle.frames);
    handle.frames.destroy();
    if (!handle.port.isOpen) return;
    await new Promise<void>((resolve) => handle.port.close(() => resolve()));
  }

  private handleFrame(frame: ScanFrame): void {
    switch (frame.kind) {
      case 'code':
        this.events.emitIgnoringFailures({ kind: 'code', source: this.name, text: frame.text, symbology: frame.symbology });
        return;
      case 'reply': {
        const pending = this.pendingReply;
        this.pendingReply = undefined;
        if (pending === undefined) return;
        if (frame.ok) pending.resolve(frame.data);
        else pending.reject(new PassgateError('driver.frame-invalid', 'the scanner refused a command'));
        return;
      }
      case 'discarded': {
        const code = DISCARD_CODES[frame.reason];
        if (code !== undefined) this.events.emitIgnoringFailures({ kind: 'read-error', source: this.name, code });
        return;
      }
    }
  }
}
