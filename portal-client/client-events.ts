// What the portal client tells its owner for the logs (the daemon's portal link): operational
// facts only, codes, paths and numbers, never a pass code, a name, an ID number or a message body.
import type { ErrorCode } from '../firmware/core/errors.js';
import type { ResponseCheck } from './portal-errors.js';
import type { PortalPath } from './protocol/constants.js';

export type PortalClientEvent =
  | { type: 'authorized'; expiresInMs: number; clockOffsetMs: number; bound: boolean }
  | { type: 'authorize-failed'; code: ErrorCode }
  | { type: 'reauthorized-after-rejection' }
  /**
   * An answer on `path` failed authentication (`check`: its MAC, its timestamp, or the portal's
   * TLS certificate) and was not trusted: a tampered path or a fake portal.
   */
  | { type: 'response-unauthenticated'; code: ErrorCode; path: PortalPath; check: ResponseCheck }
  /** The portal said our clock is off (CLOCK_SKEW): the corrected offset and the change, in ms. */
  | { type: 'clock-corrected'; clockOffsetMs: number; changeMs: number };
