// The venue as the protocol defines it (PROTOCOL.md §6): its code, name, category and when a
// device was bound to it. The one definition: the readers of the portal's answers (messages.ts)
// take these rules, and the config keys that store a binding (firmware/config, binding.*) take the
// same ones, so every venue the device accepts from the portal can be stored, and nothing the
// portal sends can make a later save fail. The gate's bind mode uses the code's shape to tell a
// venue code from a pass code.

/** The four venue categories of clause 5. */
export const VENUE_CATEGORIES = ['transport', 'enterprise', 'public-place', 'residential'] as const;
export type VenueCategory = (typeof VENUE_CATEGORIES)[number];

/**
 * A venue code: 1 to 64 ASCII letters, digits, "_" or "-" (the portal's codes are like `WX-T-001`,
 * the mock's like `wx-transport-nat48-vax3`). It goes into signed requests, config and logs.
 * Pass codes never have this shape: the mock's start `PGC1.` and real ones carry "." or ":" too.
 */
export const MAX_VENUE_CODE_LENGTH = 64;
export const VENUE_CODE_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function isVenueCode(text: string): boolean {
  return VENUE_CODE_PATTERN.test(text);
}

/**
 * A venue name: 1 to 100 characters (code points), none of them a control character (C0 or DEL):
 * it is shown on one line of a terminal and stored as one line of config.
 */
export const MAX_VENUE_NAME_CHARS = 100;
/** The same bound in UTF-16 units, for checks that count those: every code point is one or two. */
export const MAX_VENUE_NAME_UNITS = 2 * MAX_VENUE_NAME_CHARS;
const VENUE_NAME_CONTROL = /[\u0000-\u001f\u007f]/;

export function isVenueName(text: string): boolean {
  const chars = [...text].length;
  return chars >= 1 && chars <= MAX_VENUE_NAME_CHARS && !VENUE_NAME_CONTROL.test(text);
}

/**
 * When a device was bound, in ms since the epoch: from 1970 to the last ms of year 9999, the
 * latest time an ISO 8601 text with a four-digit year (what config stores) can say.
 */
export const MAX_BOUND_AT_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export function isBoundAt(ms: number): boolean {
  return Number.isSafeInteger(ms) && ms >= 0 && ms <= MAX_BOUND_AT_MS;
}
