// Every check of the conformance kit, in the order it runs: the local vectors first (a kit whose
// own code is wrong would blame the portal), then the HTTP layer, authorize, the envelope, the
// interfaces, and last the session rules that end sessions (an expiry ends every session).
import { AUTHORIZE_CHECKS } from './authorize-checks.js';
import type { ConformanceCheck } from './check.js';
import { HTTP_CHECKS } from './http-checks.js';
import { INTERFACE_CHECKS } from './interface-checks.js';
import { SEALED_CHECKS } from './sealed-checks.js';
import { SESSION_CHECKS } from './session-checks.js';
import { VECTOR_CHECKS } from './vector-checks.js';

export const CONFORMANCE_CHECKS: readonly ConformanceCheck[] = [
  ...VECTOR_CHECKS,
  ...HTTP_CHECKS,
  ...AUTHORIZE_CHECKS,
  ...SEALED_CHECKS,
  ...INTERFACE_CHECKS,
  ...SESSION_CHECKS,
];

/**
 * Error codes of §8 that no client request can provoke at a healthy portal, so no check asks
 * for them: a portal sends them under load or in trouble.
 */
export const UNPROVOKABLE_ERROR_CODES = ['RATE_LIMITED', 'INTERNAL'] as const;
