// What the mock portal's protocol handlers share, and what they answer. The handlers decide; the
// server (server.ts) turns an answer into HTTP: a plaintext error with its status, or a sealed
// response (HTTP 200) bound to the request's nonce.
import type { CryptoSuite } from '../crypto/suite.js';
import type { PortalErrorCode, ResponseBody } from '../protocol/messages.js';
import type { SessionKeys } from '../protocol/session-keys.js';
import type { NonceMemory } from './nonce-memory.js';
import type { PortalDomain } from './portal-domain.js';
import type { SessionTable } from './sessions.js';
import type { TestBreach } from './test-breaches.js';

export interface PortalContext {
  crypto: CryptoSuite;
  domain: PortalDomain;
  portalPrivateKey: Buffer;
  /** |ts − portal clock| allowed, ms (120 s). */
  replayWindowMs: number;
  tokenTtlMs: number;
  nonces: NonceMemory;
  sessions: SessionTable;
  /** The portal's clock (wall clock plus the clock-skew fault), ms since the epoch. */
  portalNow(): number;
  /** Test-only breaches of the document (test-breaches.ts); empty but in tests of the kit. */
  breaches: ReadonlySet<TestBreach>;
}

export type PortalAnswer =
  /** The portal cannot seal: an unauthenticated error (PLAIN_ERROR_STATUS gives its HTTP status). */
  | { kind: 'plain'; code: PortalErrorCode }
  /** Sealed under `keys`, its MAC bound to the request's nonce as sent. */
  | { kind: 'sealed'; keys: SessionKeys; requestNonce: string; body: ResponseBody<unknown> };

export const plainAnswer = (code: PortalErrorCode): PortalAnswer => ({ kind: 'plain', code });

/** Every error carries the portal's clock when it answered (PROTOCOL.md §8). */
export function sealedError(
  c: PortalContext,
  keys: SessionKeys,
  requestNonce: string,
  code: PortalErrorCode,
): PortalAnswer {
  return { kind: 'sealed', keys, requestNonce, body: { ok: false, error: { code, portalTime: c.portalNow() } } };
}
