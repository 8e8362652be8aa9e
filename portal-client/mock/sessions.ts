// The mock portal's sessions: one per successful authorize, found by its token. A session belongs
// to the device key that authorized it: the sealed handler ends it when the device's registered
// key has changed since (PROTOCOL.md §2), so a session of a replaced key stops working at once.
import type { SessionKeys } from '../protocol/session-keys.js';

export interface PortalSession {
  deviceId: string;
  /** The device key registered when the session was authorized. */
  publicKey: Buffer;
  keys: SessionKeys;
  /** Portal clock, ms. */
  expiresAt: number;
}

export class SessionTable {
  readonly #sessions = new Map<string, PortalSession>();

  /** Adds a session; expired ones are dropped first, so the table holds live sessions only. */
  open(token: string, session: PortalSession, now: number): void {
    for (const [t, s] of this.#sessions) if (s.expiresAt <= now) this.#sessions.delete(t);
    this.#sessions.set(token, session);
  }

  /** The live session of `token`, or null (an expired one is dropped). */
  find(token: string, now: number): PortalSession | null {
    const session = this.#sessions.get(token);
    if (!session) return null;
    if (session.expiresAt > now) return session;
    this.#sessions.delete(token);
    return null;
  }

  end(token: string): void {
    this.#sessions.delete(token);
  }

  /** Ends every session (the "expired token" fault). */
  clear(): void {
    this.#sessions.clear();
  }
}
