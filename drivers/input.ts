// What every input driver (serial, HID, camera, card reader, stdin) looks like to the gate.
// Drivers are injected; each has a mock beside it. Events carry personal data only in memory,
// on their way to the portal client: a driver never logs a code, name or ID number.
import type { ErrorCode } from '../firmware/core/errors.js';
import type { IdCardIdentity } from '../firmware/core/id-number.js';

export type DriverState = 'closed' | 'opening' | 'open' | 'reconnecting' | 'failed';

export type Symbology = 'qr' | 'micro-qr' | 'grid-matrix' | 'unknown';

/**
 * `arrivedAt`: when the input began to arrive, in monotonic ms on the driver's clock (by default
 * performance.now(), the scale of the gate's own clock): the first byte of a serial frame, the
 * first HID report of a code, the find-card poll that first saw the card, the camera frame that
 * showed the code. The gate's timings (`totalMs`) start here, so a slow read counts in them.
 */
export type InputEvent =
  | { kind: 'code'; source: string; text: string; symbology: Symbology; arrivedAt: number }
  | { kind: 'card'; source: string; card: IdCardIdentity; arrivedAt: number }
  | { kind: 'read-error'; source: string; code: ErrorCode; arrivedAt: number };

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
  /**
   * The gate could not take this driver's last input (busy, queue full, bind mode) and has room
   * now: deliver it again if the device will not by itself. A card left on a GA 467 reader is read
   * only once, so the card reader reads it again; a scanner or camera sees the code again when it
   * is shown again, and does nothing. Never emits from inside the call.
   */
  readAgain(): void;
}
