// The HTTP status of every protocol error (PROTOCOL.md §8; the vector test checks that the
// document's table says the same). A sealed answer is always HTTP 200, whatever its body says;
// these are the statuses of the plaintext errors, sent when the portal cannot seal.
import type { PortalErrorCode } from './messages.js';

/**
 * The status of each error when it is sent in plaintext; null for the errors a portal only ever
 * sends sealed (they concern a session's device, so there is always a session to seal with).
 */
export const PLAIN_ERROR_STATUS = {
  BAD_REQUEST: 400,
  UNSUPPORTED_ALGORITHM: 400,
  SESSION_KEY_INVALID: 400,
  BAD_SIGNATURE: 403,
  APP_CREDENTIALS_INVALID: 403,
  DEVICE_UNKNOWN: 403,
  VENDOR_SUSPENDED: 403,
  VENUE_UNKNOWN: null,
  ALREADY_BOUND: null,
  NOT_BOUND: null,
  TOKEN_INVALID: 401,
  BAD_MAC: 401,
  REPLAY: 401,
  CLOCK_SKEW: 401,
  RATE_LIMITED: 429,
  INTERNAL: 500,
} as const satisfies Record<PortalErrorCode, number | null>;

/** BAD_REQUEST's status when the request never reached the protocol: the HTTP layer's own words. */
export const HTTP_LEVEL_BAD_REQUEST_STATUS = {
  /** No such path. */
  unknownPath: 404,
  /** Not a POST. */
  notPost: 405,
  /** A body over MAX_BODY_BYTES. */
  tooLarge: 413,
} as const;
