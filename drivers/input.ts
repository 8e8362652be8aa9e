// What every input driver (serial, HID, camera, card reader, stdin) looks like to the gate.
// Drivers are injected; each has a mock beside it. Events carry personal data only in memory,
// on their way to the portal client: a driver never logs a code, name or ID number.
import type { ErrorCode } from '../firmware/core/errors.js';

export type DriverState = 'closed' | 'opening' | 'open' | 'reconnecting' | 'failed';

export type Symbology = 'qr' | 'micro-qr' | 'grid-matrix' | 'unknown';

export interface IdCardIdentity {
  cardType: 'resident' | 'hmt-permit' | 'foreign-permanent';
  name: string;
  idNumber: string;
}

export type InputEvent =
  | { kind: 'code'; source: string; text: string; symbology: Symbology }
  | { kind: 'card'; source: string; card: IdCardIdentity }
  | { kind: 'read-error'; source: string; code: ErrorCode };

export interface DriverStatus {
  name: string;
  state: DriverState;
  /** Error code of the last failure, if the driver is not open. */
  lastError?: ErrorCode;
}

/** A driver's status: an open driver has no `lastError`, whatever failed before it opened. */
export function driverStatus(name: string, state: DriverState, lastError: ErrorCode | undefined): DriverStatus {
  return lastError === undefined || state === 'open' ? { name, state } : { name, state, lastError };
}

export interface InputDriver {
  readonly name: string;
  status(): DriverStatus;
  /** Opens the device; on failure keeps retrying with backoff in the background. */
  open(): Promise<void>;
  /** Stops retries and releases the device. Idempotent. */
  close(): Promise<void>;
  onEvent(listener: (event: InputEvent) => void): () => void;
  onState(listener: (status: DriverStatus) => void): () => void;
}

/** A small listener list, so drivers need not extend EventEmitter with untyped events. */
export class Listeners<T> {
  private readonly set = new Set<(value: T) => void>();

  add(listener: (value: T) => void): () => void {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }

  /** Every listener gets the value even when an earlier one throws; the first error is rethrown after. */
  emit(value: T): void {
    let failure: { error: unknown } | undefined;
    for (const listener of this.set) {
      try {
        listener(value);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }

  /** Like emit, but no listener's error reaches the emitter. */
  emitIgnoringFailures(value: T): void {
    try {
      this.emit(value);
    } catch {
      // A listener's failure is the listener's; the device that emitted keeps reading.
    }
  }
}
