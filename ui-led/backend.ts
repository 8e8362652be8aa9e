// What the pattern player drives. A backend switches outputs and may show text; it knows
// nothing of patterns or timing. Each backend reports its failures as PassgateError
// 'display.backend-failed'; the player never lets them escape.
import { type ErrorDetails, isPassgateError, PassgateError } from '../firmware/core/errors.js';
import type { DisplayText } from './display-text.js';
import type { OutputChanges } from './outputs.js';

export interface DisplayBackend {
  readonly name: string;
  /** Acquires the hardware and switches every output off. */
  open(): Promise<void>;
  /** Switches the named outputs; the others keep their state. Rejects with 'display.backend-failed'. */
  set(changes: OutputChanges): Promise<void>;
  /** Shows text beside the lights, where the backend has a screen. Never throws. */
  show?(text: DisplayText): void;
  /**
   * Failures that happen outside a `set` call (a board unplugged, a gpioset holder that died).
   * Returns the unsubscribe function.
   */
  onFault?(listener: (error: PassgateError) => void): () => void;
  /** Switches everything off where possible and releases the hardware. Idempotent; never rejects. */
  close(): Promise<void>;
}

/**
 * Wraps any failure as 'display.backend-failed'. An existing one is kept as it is when it
 * already names this stage; otherwise its details are carried over under the new stage.
 */
export function backendFailed(
  backend: string,
  stage: string,
  cause?: unknown,
  details: ErrorDetails = {},
): PassgateError {
  if (isPassgateError(cause, 'display.backend-failed')) {
    if (cause.details.stage === stage && Object.keys(details).length === 0) return cause;
    return new PassgateError(
      'display.backend-failed',
      `display backend ${backend} failed (${stage})`,
      { ...cause.details, ...details, stage },
      { cause },
    );
  }
  const reason =
    cause instanceof Error && typeof (cause as NodeJS.ErrnoException).code === 'string'
      ? (cause as NodeJS.ErrnoException).code
      : undefined;
  return new PassgateError(
    'display.backend-failed',
    `display backend ${backend} failed (${stage}${reason ? `: ${reason}` : ''})`,
    { backend, stage, ...(reason ? { reason } : {}), ...details },
    { cause },
  );
}
