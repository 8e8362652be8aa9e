// The daemon's connection to the portal: the client built from the provisioned identity (rebuilt
// when the CLI changes it), and its health. Authorize runs in the background, off every scan's
// path; while it fails the gate is told the portal is down and authorize is retried.

import type { PortalClient, PortalClientEvent } from '../../portal-client/client.js';
import type { CryptoSuite } from '../../portal-client/crypto/suite.js';
import type { VenueInfo } from '../../portal-client/protocol/messages.js';
import type { ConfigStore } from '../config/store.js';
import { type ErrorCode, isPassgateError, PassgateError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { TimeoutTable } from '../core/timeouts.js';
import type { GatePortal } from '../gate/runner.js';
import { bindAtPortal } from './bind-at-portal.js';
import { isProvisioned, portalClientFromConfig } from './device-identity.js';

export interface PortalLinkOptions {
  store: ConfigStore;
  dataDir: string;
  crypto: CryptoSuite;
  logger: Logger;
  /** The timeout table in force (config may change it while the daemon runs). */
  timeouts: () => TimeoutTable;
  /** Authorize succeeded (true) or failed for a reason other than "not bound" (false). */
  onHealth: (up: boolean) => void;
  /** The portal's word on the binding, after each successful authorize. */
  onBinding: (venue: VenueInfo | null) => void;
}

export interface PortalLinkStatus {
  reachable: boolean | null;
  tokenValid: boolean;
  tokenExpiresInMs: number | null;
  clockOffsetMs: number;
  lastErrorCode: ErrorCode | null;
  /** When the portal last authorized this device (ISO 8601): at least once per token lifetime. */
  lastAuthorizedAt: string | null;
}

export class PortalLink {
  private client: PortalClient | null = null;
  private reachable: boolean | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private lastAuthorizedAt: string | null = null;

  constructor(private readonly o: PortalLinkOptions) {}

  /** What the runner calls: always the current client; a re-provisioned device gets a new one. */
  gatePortal(): GatePortal {
    const client = (): PortalClient => {
      if (!this.client) throw new PassgateError('config.not-provisioned', 'device not provisioned');
      return this.client;
    };
    return {
      verifyPassCode: async (code) => client().verifyPassCode(code),
      verifyIdCard: async (card) => client().verifyIdCard(card),
      bind: async (venueCode) => bindAtPortal(client(), 'bind', venueCode),
      rebind: async (venueCode) => bindAtPortal(client(), 'rebind', venueCode),
    };
  }

  /** Builds the client from config; a failure is logged and leaves the link without one. */
  async connect(): Promise<void> {
    const { logger } = this.o;
    try {
      this.client = await portalClientFromConfig(this.o.store, this.o.dataDir, {
        crypto: this.o.crypto,
        timeouts: this.o.timeouts(),
        onEvent: (e) => {
          if (e.type === 'authorized') this.lastAuthorizedAt = new Date().toISOString();
          logPortalEvent(logger, e);
        },
      });
    } catch (error) {
      logger.log('error', 'portal-client-failed', { code: isPassgateError(error) ? error.code : 'unknown' });
      this.client = null;
    }
  }

  /** The identity changed: drops the client, and a still provisioned device connects anew. */
  reconnect(): void {
    const old = this.client;
    this.client = null;
    void old?.close();
    if (isProvisioned(this.o.store)) void this.connect().then(() => this.checkHealth());
  }

  /** Authorizes in the background: off every scan's path. Failing portals are retried. */
  checkHealth(): void {
    const client = this.client;
    if (!client || this.closed) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    client.authorize().then(
      (summary) => {
        if (this.closed || client !== this.client) return;
        this.reachable = true;
        this.o.onHealth(true);
        this.o.onBinding(summary.binding);
      },
      (error: unknown) => {
        if (this.closed || client !== this.client) return;
        this.reachable = false;
        if (isPassgateError(error, 'portal.not-bound')) return;
        this.o.onHealth(false);
        this.retryTimer = setTimeout(() => this.checkHealth(), this.o.timeouts().portalHealthRetryMs);
        this.retryTimer.unref();
      },
    );
  }

  status(): PortalLinkStatus {
    const s = this.client?.status();
    return {
      reachable: this.reachable,
      tokenValid: s?.tokenValid ?? false,
      tokenExpiresInMs: s?.tokenExpiresInMs ?? null,
      clockOffsetMs: Math.round(s?.clockOffsetMs ?? 0),
      lastErrorCode: s?.lastErrorCode ?? null,
      lastAuthorizedAt: this.lastAuthorizedAt,
    };
  }

  /** No health check starts or reports after this; then the client closes. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.client?.close().catch(() => undefined);
  }
}

/** One log line per client event: codes, paths and numbers, as the client gives them. */
function logPortalEvent(logger: Logger, e: PortalClientEvent): void {
  switch (e.type) {
    case 'authorized':
      logger.log('info', 'portal-authorized', { clockOffsetMs: e.clockOffsetMs, bound: e.bound });
      return;
    case 'authorize-failed':
      logger.log('warn', 'portal-authorize-failed', { code: e.code });
      return;
    case 'reauthorized-after-rejection':
      logger.log('info', 'portal-reauthorized', {});
      return;
    case 'response-unauthenticated':
      // Never trusted, never a verdict: someone on the path or a fake portal answered.
      logger.log('error', 'portal-response-unauthenticated', { code: e.code, path: e.path, check: e.check });
      return;
    case 'clock-corrected':
      logger.log('warn', 'portal-clock-corrected', { clockOffsetMs: e.clockOffsetMs, changeMs: e.changeMs });
      return;
  }
}
