// Fault injection for the mock portal, switchable while it runs (in process or via the admin
// API), so tests can prove the gate ends in a defined outcome whatever the portal does.
import { PATHS } from '../protocol/constants.js';
import { PORTAL_ERROR_CODES, type PortalErrorCode } from '../protocol/messages.js';

/** The paths a fault may be limited to: the protocol's five (the admin API has no faults). */
export const FAULT_PATHS: readonly string[] = Object.values(PATHS);

export interface FaultSettings {
  /** Added before every answer. */
  latencyMs: number;
  /** Destroy the connection instead of answering. */
  dropConnection: boolean;
  /** Answer every request with this HTTP status and a non-protocol body. */
  httpStatus: 500 | 503 | null;
  /** Answer 200 with a body that is not JSON. */
  malformedJson: boolean;
  /** Seal answers with a MAC that does not verify (a tampered or fake portal). */
  wrongMac: boolean;
  /** Portal clock = real clock + this. */
  clockSkewMs: number;
  /**
   * Answer every request with this protocol error in plaintext (unauthenticated, as anyone on the
   * path could), HTTP 403. A device must never change its state because of one.
   */
  plainError: PortalErrorCode | null;
  /** Answer the sealed calls (bind, rebind, verify) with this protocol error, sealed and genuine. */
  sealedError: PortalErrorCode | null;
  /**
   * Overwrite these fields of every venue the portal sends (authorize's binding, the bind and
   * rebind results), sealed and genuine: a portal whose venue data the device must refuse.
   */
  venueFields: Record<string, unknown> | null;
  /** Send this as boundAt of bind and rebind results (the binding is made all the same). */
  boundAt: number | null;
  /** Only apply the faults above to these paths (all paths when empty). */
  paths: string[];
}

export const NO_FAULTS: FaultSettings = {
  latencyMs: 0,
  dropConnection: false,
  httpStatus: null,
  malformedJson: false,
  wrongMac: false,
  clockSkewMs: 0,
  plainError: null,
  sealedError: null,
  venueFields: null,
  boundAt: null,
  paths: [],
};

export function mergeFaults(current: FaultSettings, patch: unknown): FaultSettings {
  if (typeof patch !== 'object' || patch === null) throw new Error('faults must be an object');
  const p = patch as Record<string, unknown>;
  const next = { ...current };
  for (const [key, value] of Object.entries(p)) {
    switch (key) {
      case 'latencyMs':
      case 'clockSkewMs':
        if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${key} must be a number`);
        next[key] = value;
        break;
      case 'dropConnection':
      case 'malformedJson':
      case 'wrongMac':
        if (typeof value !== 'boolean') throw new Error(`${key} must be a boolean`);
        next[key] = value;
        break;
      case 'httpStatus':
        if (value !== null && value !== 500 && value !== 503) throw new Error('httpStatus must be 500, 503 or null');
        next.httpStatus = value;
        break;
      case 'plainError':
      case 'sealedError':
        if (value !== null && !(PORTAL_ERROR_CODES as readonly unknown[]).includes(value)) {
          throw new Error(`${key} must be a protocol error code or null`);
        }
        next[key] = value as PortalErrorCode | null;
        break;
      case 'venueFields':
        if (value !== null && (typeof value !== 'object' || Array.isArray(value))) {
          throw new Error('venueFields must be an object or null');
        }
        next.venueFields = value as Record<string, unknown> | null;
        break;
      case 'boundAt':
        if (value !== null && typeof value !== 'number') throw new Error('boundAt must be a number or null');
        next.boundAt = value;
        break;
      case 'paths': {
        if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
          throw new Error('paths must be strings');
        const unknown = value.find((v) => !FAULT_PATHS.includes(v));
        // A path no request takes would make the fault silently apply nowhere.
        if (unknown !== undefined) {
          throw new Error(
            `unknown fault path ${JSON.stringify(unknown.slice(0, 80))}; valid: ${FAULT_PATHS.join(', ')}`,
          );
        }
        next.paths = value as string[];
        break;
      }
      default:
        throw new Error(`unknown fault ${key}`);
    }
  }
  return next;
}
