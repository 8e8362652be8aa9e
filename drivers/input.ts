// What every input driver (serial, HID, camera, card reader, stdin) looks like to the gate.
// Drivers are injected; each has a mock beside it. Events carry personal data only in memory,
// on their way to the portal client: a driver never logs a code, name or ID number.
import type { ErrorCode } from '../firmware/core/errors.js';
import type { IdCardIdentity } from '../firmware/core/id-number.js';

export type DriverState = 'closed' | 'opening' | 'open' | 'reconnecting' | 'failed';

export type Symbology = 'qr' | 'micro-qr' | 'grid-matrix' | 'unknown';

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
