// The device side of the five interfaces. Authorize runs off the scan path (at start, and in the
// background before the token expires); a verification is one sealed request on a warm
// connection. A response that fails authentication is never trusted: it becomes an error, never
// a verdict.

import { setClampedTimeout } from '../firmware/core/clock.js';
import { type ErrorCode, isPassgateError, PassgateError } from '../firmware/core/errors.js';
import type { TimeoutTable } from '../firmware/core/timeouts.js';
import type { Verdict } from '../firmware/core/verdict.js';
import { authorizeOnce, type DeviceIdentity, type Session } from './authorize-exchange.js';
import type { PortalClientEvent } from './client-events.js';
import type { CryptoSuite } from './crypto/suite.js';
import {
  ClockSkew,
  clockRefusedTwice,
  failedResponseCheck,
  plainError,
  portalError,
  TokenRejected,
  toTyped,
  unauthenticatedResponse,
} from './portal-errors.js';
import { IV_BYTES, NONCE_BYTES, PATHS, type PortalPath, TOKEN_SCHEME } from './protocol/constants.js';
import { type OpenedEnvelope, openResponse, sealRequest } from './protocol/envelope.js';
import {
  type BindResult,
  type IdCardBody,
  type ResponseBody,
  readBindResult,
  readResponseBody,
  readVerdict,
  type VenueInfo,
} from './protocol/messages.js';
import { bindSigningText } from './protocol/signing.js';
import { parseJson } from './protocol/wire-reader.js';
import type { PortalTransport } from './transport.js';

export type { DeviceIdentity } from './authorize-exchange.js';
export type { PortalClientEvent } from './client-events.js';

export interface PortalClientOptions {
  transport: PortalTransport;
  crypto: CryptoSuite;
  identity: DeviceIdentity;
  /** The portal's SM2 public key (65 bytes), to which the session secret is encrypted. */
  portalPublicKey: Buffer;
  timeouts: TimeoutTable;
  /** Wall clock, ms since the epoch. */
  now?: () => number;
  /** Operational events for logs: never carries personal data. */
  onEvent?: (event: PortalClientEvent) => void;
}

export interface PortalClientStatus {
  tokenValid: boolean;
  tokenExpiresInMs: number | null;
  clockOffsetMs: number;
  binding: VenueInfo | null | undefined; // undefined: not known yet
  lastErrorCode: ErrorCode | null;
}

/** What authorize tells the caller; the token itself stays inside the client. */
export interface AuthorizeSummary {
  expiresAt: number;
  clockOffsetMs: number;
  binding: VenueInfo | null;
}

export class PortalClient {
  private readonly o: PortalClientOptions;
  private readonly now: () => number;
  private session: Session | null = null;
  private authorizing: Promise<Session> | null = null;
  private clockOffsetMs = 0;
  private binding: VenueInfo | null | undefined = undefined;
  private lastErrorCode: ErrorCode | null = null;
  private refreshTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(options: PortalClientOptions) {
    this.o = options;
    this.now = options.now ?? Date.now;
  }

  /** Portal's clock as we estimate it. Requests carry this time. */
  portalNow(): number {
    return Math.round(this.now() + this.clockOffsetMs);
  }

  status(): PortalClientStatus {
    const s = this.session;
    const left = s ? s.expiresAtPortal - this.portalNow() : null;
    return {
      tokenValid: left !== null && left > 0,
      tokenExpiresInMs: left,
      clockOffsetMs: this.clockOffsetMs,
      binding: this.binding,
      lastErrorCode: this.lastErrorCode,
    };
  }

  /** Authorizes now (or joins an authorize under way) and keeps the token fresh afterwards. */
  async authorize(deadlineMs = this.o.timeouts.adminDeadlineMs): Promise<AuthorizeSummary> {
    const session = await this.ensureSession(deadlineMs, true);
    return { expiresAt: session.expiresAtPortal, clockOffsetMs: this.clockOffsetMs, binding: this.binding ?? null };
  }

  async bind(venueCode: string): Promise<BindResult> {
    return this.bindLike('bind', PATHS.bind, venueCode);
  }

  async rebind(venueCode: string): Promise<BindResult> {
    return this.bindLike('rebind', PATHS.rebind, venueCode);
  }

  async verifyPassCode(code: string): Promise<Verdict> {
    return this.call(PATHS.verifyPassCode, { code }, readVerdict, this.o.timeouts.verifyDeadlineMs);
  }

  async verifyIdCard(card: IdCardBody): Promise<Verdict> {
    return this.call(
      PATHS.verifyIdCard,
      { cardType: card.cardType, name: card.name, idNumber: card.idNumber },
      readVerdict,
      this.o.timeouts.verifyDeadlineMs,
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
    await this.o.transport.close();
  }

  // ------------------------------------------------------------------ internals

  private async bindLike(kind: 'bind' | 'rebind', path: PortalPath, venueCode: string): Promise<BindResult> {
    const result = await this.call(
      path,
      (ts, nonce) => ({
        venueCode,
        sig: this.o.crypto
          .sm2Sign(
            this.o.identity.privateKey,
            Buffer.from(bindSigningText(kind, { deviceId: this.o.identity.deviceId, venueCode, ts, nonce }), 'utf8'),
          )
          .toString('hex'),
      }),
      readBindResult,
      this.o.timeouts.adminDeadlineMs,
    );
    this.binding = result.venue;
    return result;
  }

  /**
   * One sealed request, answered within `deadlineMs` or failed with a typed error. A token the
   * portal rejects is replaced by one transparent re-authorize (at most reauthorizeAttempts).
   */
  private async call<T>(
    path: PortalPath,
    body: object | ((ts: number, nonce: string) => object),
    readResult: (value: unknown) => T,
    deadlineMs: number,
  ): Promise<T> {
    const deadline = this.now() + deadlineMs;
    let reauthorizations = 0;
    let clockCorrected = false;
    for (;;) {
      try {
        const session = await this.ensureSession(deadline - this.now(), false);
        const result = await this.sendSealed(session, path, body, readResult, deadline).catch((error: unknown) => {
          this.reportUnauthenticated(path, error);
          throw error;
        });
        this.lastErrorCode = null;
        return result;
      } catch (error) {
        if (
          error instanceof TokenRejected &&
          reauthorizations < this.o.timeouts.reauthorizeAttempts &&
          deadline - this.now() > 0
        ) {
          reauthorizations++;
          this.o.onEvent?.({ type: 'reauthorized-after-rejection' });
          continue;
        }
        if (error instanceof ClockSkew && !clockCorrected && deadline - this.now() > 0) {
          clockCorrected = true;
          continue;
        }
        const typed =
          error instanceof TokenRejected
            ? new PassgateError('portal.auth-failed', 'portal rejected the session token again after re-authorizing')
            : error instanceof ClockSkew
              ? clockRefusedTwice()
              : toTyped(error);
        this.lastErrorCode = typed.code;
        throw typed;
      }
    }
  }

  private async sendSealed<T>(
    session: Session,
    path: PortalPath,
    body: object | ((ts: number, nonce: string) => object),
    readResult: (value: unknown) => T,
    deadline: number,
  ): Promise<T> {
    const ts = this.portalNow();
    const nonce = this.o.crypto.randomBytes(NONCE_BYTES).toString('hex');
    const payload = typeof body === 'function' ? body(ts, nonce) : body;
    const envelope = sealRequest(this.o.crypto, session.keys, { path, token: session.token }, payload, {
      ts,
      nonce,
      iv: this.o.crypto.randomBytes(IV_BYTES),
    });
    const remaining = deadline - this.now();
    if (remaining <= 0) throw new PassgateError('portal.timeout', 'deadline passed before the request was sent');
    const answer = await this.o.transport.post(
      path,
      { authorization: `${TOKEN_SCHEME} ${session.token}` },
      JSON.stringify(envelope),
      remaining,
    );
    if (answer.status !== 200) {
      const info = plainError(answer.status, answer.text);
      if (info.code === 'TOKEN_INVALID') {
        if (this.session === session) this.session = null;
        throw new TokenRejected();
      }
      throw portalError(info, answer.status);
    }
    let opened: OpenedEnvelope;
    try {
      opened = openResponse(this.o.crypto, session.keys, { path, requestNonce: nonce }, parseJson(answer.text));
    } catch (error) {
      if (isPassgateError(error, 'protocol.unauthenticated')) throw unauthenticatedResponse(path, 'mac', error);
      throw new PassgateError(
        'portal.bad-response',
        'portal response is not a valid envelope',
        { path },
        { cause: error },
      );
    }
    const stale = () => unauthenticatedResponse(path, 'timestamp');
    const outsideWindow = Math.abs(opened.ts - this.portalNow()) > this.o.timeouts.replayWindowMs;
    let response: ResponseBody<T>;
    try {
      response = readResponseBody(opened.body, readResult);
    } catch (error) {
      if (outsideWindow) throw stale();
      throw new PassgateError(
        'portal.bad-response',
        'portal response does not follow the protocol',
        { path },
        { cause: error },
      );
    }
    // A sealed CLOCK_SKEW answer carries the portal's clock in its ts too, which is exactly what
    // disagrees with ours; its MAC binds it to this request's fresh nonce, so it is no replay.
    const clockSkewAnswer =
      !response.ok && response.error.code === 'CLOCK_SKEW' && response.error.portalTime !== undefined;
    if (outsideWindow && !clockSkewAnswer) throw stale();
    if (!response.ok) {
      if (response.error.code === 'TOKEN_INVALID') {
        if (this.session === session) this.session = null;
        throw new TokenRejected();
      }
      if (response.error.code === 'NOT_BOUND') this.binding = null;
      if (response.error.code === 'CLOCK_SKEW' && response.error.portalTime !== undefined) {
        // Authenticated, so the portal's clock can be believed: correct and send once more.
        const previous = this.clockOffsetMs;
        this.clockOffsetMs = response.error.portalTime - this.now();
        this.clockCorrected(previous);
        throw new ClockSkew();
      }
      throw portalError(response.error, 200, true);
    }
    return response.result;
  }

  private async ensureSession(deadlineMs: number, force: boolean): Promise<Session> {
    if (!force && this.session && this.session.expiresAtPortal - this.portalNow() > 0) return this.session;
    if (!this.authorizing) {
      this.authorizing = this.runAuthorize().finally(() => {
        this.authorizing = null;
      });
    }
    return withDeadline(this.authorizing, deadlineMs);
  }

  private async runAuthorize(): Promise<Session> {
    let offsetBefore = this.clockOffsetMs;
    try {
      let session: Session;
      try {
        session = await this.authorizeOnce();
      } catch (error) {
        // A CLOCK_SKEW answer carries the portal's time (already taken): try once more with it.
        if (!(error instanceof ClockSkew)) throw error;
        this.clockCorrected(offsetBefore);
        offsetBefore = this.clockOffsetMs;
        session = await this.authorizeOnce();
      }
      this.session = session;
      this.scheduleRefresh(session);
      return session;
    } catch (error) {
      if (error instanceof ClockSkew) this.clockCorrected(offsetBefore);
      const typed = error instanceof ClockSkew ? clockRefusedTwice() : toTyped(error);
      this.lastErrorCode = typed.code;
      this.reportUnauthenticated(PATHS.authorize, typed);
      this.o.onEvent?.({ type: 'authorize-failed', code: typed.code });
      throw typed;
    }
  }

  /** Tells the listener that an answer on `path` failed authentication, if `error` says so. */
  private reportUnauthenticated(path: PortalPath, error: unknown): void {
    const check = failedResponseCheck(error);
    if (check !== undefined)
      this.o.onEvent?.({ type: 'response-unauthenticated', code: 'portal.auth-failed', path, check });
  }

  /** Tells the listener the clock offset was corrected after a CLOCK_SKEW answer. */
  private clockCorrected(previousOffsetMs: number): void {
    this.o.onEvent?.({
      type: 'clock-corrected',
      clockOffsetMs: Math.round(this.clockOffsetMs),
      changeMs: Math.round(this.clockOffsetMs - previousOffsetMs),
    });
  }

  private async authorizeOnce(): Promise<Session> {
    const { session, binding, result } = await authorizeOnce({
      crypto: this.o.crypto,
      identity: this.o.identity,
      portalPublicKey: this.o.portalPublicKey,
      transport: this.o.transport,
      deadlineMs: this.o.timeouts.adminDeadlineMs,
      now: this.now,
      portalNow: () => this.portalNow(),
      onClockOffset: (offsetMs) => (this.clockOffsetMs = offsetMs),
    });
    this.binding = binding;
    this.o.onEvent?.({
      type: 'authorized',
      expiresInMs: result.expiresAt - result.portalTime,
      clockOffsetMs: Math.round(this.clockOffsetMs),
      bound: binding !== null,
    });
    return session;
  }

  private scheduleRefresh(session: Session): void {
    if (this.closed) return;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    const lifetime = session.expiresAtPortal - this.portalNow();
    const delay = Math.max(0, lifetime - Math.min(this.o.timeouts.tokenRefreshLeadMs, lifetime / 2));
    this.refreshTimer = setClampedTimeout(() => this.refreshInBackground(), delay);
    this.refreshTimer.unref();
  }

  private refreshInBackground(): void {
    this.refreshTimer = null;
    if (this.closed) return;
    if (!this.authorizing) {
      this.authorizing = this.runAuthorize().finally(() => {
        this.authorizing = null;
      });
    }
    this.authorizing.catch(() => {
      if (this.closed) return;
      this.refreshTimer = setClampedTimeout(() => this.refreshInBackground(), this.o.timeouts.tokenRefreshRetryMs);
      this.refreshTimer.unref();
    });
  }
}

async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  if (ms <= 0) throw new PassgateError('portal.timeout', 'deadline passed while authorizing');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setClampedTimeout(
      () => reject(new PassgateError('portal.timeout', 'portal did not authorize within the deadline')),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
