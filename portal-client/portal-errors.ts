// How the client turns what the portal said into one typed error. The mapping from protocol error
// codes to PassgateError codes lives here, so the authorize exchange and sealed calls agree.
import { type ErrorCode, PassgateError } from '../firmware/core/errors.js';
import { type PortalErrorCode, type PortalErrorInfo, readPlainError } from './protocol/messages.js';
import { parseJson } from './protocol/wire-reader.js';

const PORTAL_CODE_TO_ERROR: Partial<Record<PortalErrorCode, ErrorCode>> = {
  NOT_BOUND: 'portal.not-bound',
  ALREADY_BOUND: 'portal.already-bound',
  VENUE_UNKNOWN: 'portal.venue-unknown',
  DEVICE_UNKNOWN: 'portal.device-unknown',
  VENDOR_SUSPENDED: 'portal.vendor-suspended',
  BAD_SIGNATURE: 'portal.auth-failed',
  APP_CREDENTIALS_INVALID: 'portal.auth-failed',
};

/** Raised inside the client when the portal no longer knows our token. */
export class TokenRejected extends Error {}

/** Raised inside the client when an authenticated answer said our clock is off (now corrected). */
export class ClockSkew extends Error {}

/**
 * The protocol error of a non-200 answer. An answer that is not a protocol error is
 * 'portal.unreachable' for 5xx (a proxy or a portal in trouble) and 'portal.bad-response' otherwise.
 */
export function plainError(status: number, text: string): PortalErrorInfo {
  try {
    return readPlainError(parseJson(text)).error;
  } catch {
    if (status >= 500) {
      throw new PassgateError('portal.unreachable', `portal answered HTTP ${status}`, { httpStatus: status });
    }
    throw new PassgateError('portal.bad-response', `portal answered HTTP ${status} without a protocol error`, {
      httpStatus: status,
    });
  }
}

/**
 * The typed error of a protocol error answer. `authenticated` says whether it came sealed under
 * the session keys: only such an answer may change what the device believes (its binding, say);
 * a plaintext one could come from anyone on the path.
 */
export function portalError(info: PortalErrorInfo, httpStatus: number, authenticated = false): PassgateError {
  const code = PORTAL_CODE_TO_ERROR[info.code] ?? 'portal.rejected';
  return new PassgateError(code, `portal refused: ${info.code}`, { portalCode: info.code, httpStatus, authenticated });
}

/** True for an error the portal sent sealed under the session keys (see portalError). */
export function isAuthenticatedPortalError(error: unknown): boolean {
  return error instanceof PassgateError && error.details.authenticated === true;
}

/** What an untrusted answer failed: its MAC, its timestamp (replay window), or the portal's TLS certificate. */
export type ResponseCheck = 'mac' | 'timestamp' | 'tls';

const RESPONSE_CHECK_MESSAGES: Record<Exclude<ResponseCheck, 'tls'>, string> = {
  mac: 'portal response failed authentication',
  timestamp: 'portal response timestamp outside the replay window',
};

/** An answer on `path` that failed its MAC or timestamp check: never trusted, never a verdict. */
export function unauthenticatedResponse(
  path: string,
  check: Exclude<ResponseCheck, 'tls'>,
  cause?: unknown,
): PassgateError {
  return new PassgateError('portal.auth-failed', RESPONSE_CHECK_MESSAGES[check], { path, check }, { cause });
}

/**
 * The check an answer failed, when `error` says the answer itself was not authentic; undefined
 * for every other error (a portal that refuses our identity answered genuinely).
 */
export function failedResponseCheck(error: unknown): ResponseCheck | undefined {
  if (!(error instanceof PassgateError) || error.code !== 'portal.auth-failed') return undefined;
  if (error.details.tls === true) return 'tls';
  const check = error.details.check;
  return check === 'mac' || check === 'timestamp' ? check : undefined;
}

export function clockRefusedTwice(): PassgateError {
  return new PassgateError('portal.rejected', 'portal refused our clock twice', { portalCode: 'CLOCK_SKEW' });
}

export function toTyped(error: unknown): PassgateError {
  if (error instanceof PassgateError) return error;
  return new PassgateError('portal.bad-response', 'unexpected failure talking to the portal', {}, { cause: error });
}
