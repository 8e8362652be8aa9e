// Keeps one device open: opens it, and whenever it fails to open or goes away, opens it again.
//
// Shared by the serial scanner, the HID scanner and the ID-card reader. The owner supplies how to
// open the device and how to tell whether it is present at all; the Reconnector owns the timers
// and the DriverState. It never throws out of a callback or a timer: every failure becomes a state
// ('reconnecting', or 'failed' for a fatal error) and a `lastError` code.
//
// Retry policy, all durations from the timeout table:
// - device present (its path exists) but the open failed: wait driverReopenInitialMs, doubling
//   after each failure up to driverReopenMaxMs, then try again;
// - device absent (unplugged: its path is gone): check presence every driverPathPollMs and open
//   as soon as it is back, without waiting out the backoff; so a replugged device is open again
//   within about driverPathPollMs of its path reappearing.
// Presence is a cheap check such as fs.stat of the device path, or a HID device-list lookup.
// Never udevadm or a full port enumeration: those are slow and fork processes.
import { stat } from 'node:fs/promises';
import { type ErrorCode, isPassgateError, PassgateError } from '../firmware/core/errors.js';
import type { TimeoutTable } from '../firmware/core/timeouts.js';
import type { DriverState } from './input.js';

export type ReconnectTimeouts = Pick<TimeoutTable, 'driverReopenInitialMs' | 'driverReopenMaxMs' | 'driverPathPollMs'>;

export interface ReconnectorOptions<T> {
  /** Opens the device. Rejects (ideally with a PassgateError) when it cannot. */
  open: () => Promise<T>;
  /** Called with every newly opened handle; the owner attaches its data listeners here. */
  onOpen: (handle: T) => void;
  /** Called once for every handle that is lost (reported through `lost()`), with the reason. */
  onClosed?: (reason: PassgateError, handle: T) => void;
  /** Called on every state change. `lastError` is set for 'reconnecting' and 'failed'. */
  onState?: (state: DriverState, lastError?: ErrorCode) => void;
  /**
   * Whether the device is there at all. Default: always true (plain backoff).
   * Use `pathExists(path)` for device files. A rejection counts as absent.
   */
  isPresent?: () => Promise<boolean>;
  /** Releases a handle when `stop()` is called. Errors are swallowed. */
  release?: (handle: T) => Promise<void>;
  /** An open error for which retrying is pointless (e.g. invalid settings). Default: none. */
  isFatal?: (error: PassgateError) => boolean;
  timeouts: ReconnectTimeouts;
}

/** Presence check for a device file: true while `path` exists (follows symlinks such as by-id). */
export function pathExists(path: string): () => Promise<boolean> {
  return async () => {
    try {
      await stat(path);
      return true;
    } catch {
      return false;
    }
  };
}

/** Any thrown value as a PassgateError with the given fallback code; the message stays generic. */
export function asDriverError(error: unknown, fallback: ErrorCode): PassgateError {
  if (isPassgateError(error)) return error;
  const errno = (error as { code?: unknown } | null)?.code;
  return new PassgateError(
    fallback,
    'device operation failed',
    {
      errno: typeof errno === 'string' ? errno : undefined,
    },
    { cause: error },
  );
}

export class Reconnector<T> {
  private readonly options: ReconnectorOptions<T>;
  private currentState: DriverState = 'closed';
  private lastError: ErrorCode | undefined;
  private current: T | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private delayMs: number;
  /** Bumped by stop() and by every new cycle, so late callbacks of an old cycle do nothing. */
  private generation = 0;
  private running = false;
  private attempt: Promise<void> | undefined;

  constructor(options: ReconnectorOptions<T>) {
    this.options = options;
    this.delayMs = options.timeouts.driverReopenInitialMs;
  }

  get state(): DriverState {
    return this.currentState;
  }

  get error(): ErrorCode | undefined {
    return this.lastError;
  }

  /** The open handle, or undefined while not open. */
  get handle(): T | undefined {
    return this.current;
  }

  /**
   * Starts keeping the device open. Resolves once the first attempt has settled, opened or not
   * (when not, retries continue in the background). Calling it while running does nothing.
   */
  start(): Promise<void> {
    if (this.running) return this.attempt ?? Promise.resolve();
    this.running = true;
    this.generation += 1;
    this.delayMs = this.options.timeouts.driverReopenInitialMs;
    this.setState('opening');
    this.attempt = this.tryOpen(this.generation);
    return this.attempt;
  }

  /**
   * The owner reports that `handle` stopped working (port closed, read error, device removed).
   * Stale reports (for a handle already replaced or after stop) are ignored.
   */
  lost(handle: T, reason: unknown): void {
    if (!this.running || handle !== this.current) return;
    const error = asDriverError(reason, 'driver.disconnected');
    this.current = undefined;
    this.lastError = error.code;
    this.safely(() => this.options.onClosed?.(error, handle));
    this.delayMs = this.options.timeouts.driverReopenInitialMs;
    this.setState('reconnecting');
    this.generation += 1;
    this.schedule(this.generation, 0);
  }

  /** Cancels every timer and pending attempt, releases the handle, ends in 'closed'. Idempotent. */
  async stop(): Promise<void> {
    this.running = false;
    this.generation += 1;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const handle = this.current;
    this.current = undefined;
    if (handle !== undefined && this.options.release !== undefined) {
      try {
        await this.options.release(handle);
      } catch {
        // Releasing a dead device may fail; it is released either way.
      }
    }
    if (this.currentState !== 'closed') this.setState('closed');
  }

  private async tryOpen(generation: number): Promise<void> {
    let handle: T;
    try {
      handle = await this.options.open();
    } catch (error) {
      if (generation !== this.generation) return;
      const failure = asDriverError(error, 'driver.open-failed');
      this.lastError = failure.code;
      if (this.options.isFatal?.(failure) === true) {
        this.running = false;
        this.setState('failed');
        return;
      }
      this.setState('reconnecting');
      const delay = this.delayMs;
      this.delayMs = Math.min(this.delayMs * 2, this.options.timeouts.driverReopenMaxMs);
      this.schedule(generation, delay);
      return;
    }
    if (generation !== this.generation) {
      // stop() or a newer cycle came first: this handle is nobody's, release it.
      if (this.options.release !== undefined) await this.options.release(handle).catch(() => undefined);
      return;
    }
    this.current = handle;
    this.lastError = undefined;
    this.delayMs = this.options.timeouts.driverReopenInitialMs;
    this.safely(() => this.options.onOpen(handle));
    // onOpen may already have reported the handle lost.
    if (this.current === handle) this.setState('open');
  }

  /**
   * Waits `delayMs` (backoff), but checks presence every driverPathPollMs meanwhile: an absent
   * device is waited for without limit and opened as soon as it is present again.
   */
  private schedule(generation: number, delayMs: number): void {
    const poll = this.options.timeouts.driverPathPollMs;
    const due = Date.now() + delayMs;
    let wasAbsent = false;
    const step = async (): Promise<void> => {
      this.timer = undefined;
      if (generation !== this.generation) return;
      const present = await this.present();
      if (generation !== this.generation) return;
      if (!present) {
        wasAbsent = true;
        this.timer = setTimeout(() => void step(), poll);
        return;
      }
      const remaining = due - Date.now();
      if (!wasAbsent && remaining > 0) {
        this.timer = setTimeout(() => void step(), Math.min(remaining, poll));
        return;
      }
      // Present and either the backoff is over or it has just come back (replugged).
      if (wasAbsent) this.delayMs = this.options.timeouts.driverReopenInitialMs;
      this.attempt = this.tryOpen(generation);
      await this.attempt;
    };
    this.timer = setTimeout(() => void step(), Math.min(delayMs, poll));
  }

  private async present(): Promise<boolean> {
    if (this.options.isPresent === undefined) return true;
    try {
      return await this.options.isPresent();
    } catch {
      return false;
    }
  }

  private setState(state: DriverState): void {
    this.currentState = state;
    const error = state === 'reconnecting' || state === 'failed' ? this.lastError : undefined;
    this.safely(() => this.options.onState?.(state, error));
  }

  private safely(callback: () => void): void {
    try {
      callback();
    } catch {
      // A listener's bug must not stop the reconnect loop; the owner's listeners handle their own.
    }
  }
}
