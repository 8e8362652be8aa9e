// The bundled mock portal: a real HTTP(S) server speaking reference protocol v1 through the same
// protocol module the device uses. Used by tests, the bench and the demo.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { CryptoSuite } from '../crypto/suite.js';
import {
  IV_BYTES,
  MAX_BODY_BYTES,
  NONCE_BYTES,
  PATHS,
  type PortalPath,
  PROTOCOL_VERSION,
  TOKEN_SCHEME,
} from '../protocol/constants.js';
import { type OpenedEnvelope, openRequest, sealResponse } from '../protocol/envelope.js';
import {
  type AuthorizeRequest,
  type PlainError,
  type PortalErrorCode,
  type ResponseBody,
  readAuthorizeRequest,
  readBindBody,
  readIdCardBody,
  readPassCodeBody,
  type VenueInfo,
} from '../protocol/messages.js';
import { deriveSessionKeys, type SessionKeys } from '../protocol/session-keys.js';
import { authorizeSigningText, bindSigningText } from '../protocol/signing.js';
import { parseJson } from '../protocol/wire-reader.js';
import { handleAdminRequest } from './admin-api.js';
import { type FaultSettings, mergeFaults, NO_FAULTS } from './faults.js';
import type { PortalDomain } from './portal-domain.js';

export interface MockPortalOptions {
  crypto: CryptoSuite;
  domain: PortalDomain;
  portalPrivateKey: Buffer;
  /** TLS certificate and key; omit for plain HTTP (dev flag on the device side). */
  tls?: { certPem: string; keyPem: string };
  host?: string;
  port?: number;
  tokenTtlMs?: number;
  replayWindowMs?: number;
  now?: () => number;
  /** Handles /admin/* requests (registrations, faults) when given. */
  admin?: (path: string, body: unknown) => Promise<unknown> | unknown;
  adminToken?: string;
}

export interface MockPortalStats {
  connections: number;
  /** Distinct sockets that served a request since the last reset, including ones opened before it. */
  servingSockets: number;
  requests: number;
  byPath: Record<string, number>;
}

interface PortalSession {
  deviceId: string;
  keys: SessionKeys;
  expiresAt: number;
}

const SEALED_PATHS = new Set<string>([PATHS.bind, PATHS.rebind, PATHS.verifyPassCode, PATHS.verifyIdCard]);

export class MockPortal {
  private readonly o: MockPortalOptions;
  private server: Server | null = null;
  private readonly sessions = new Map<string, PortalSession>();
  private readonly seenNonces = new Map<string, number>(); // nonce → expiry (portal clock)
  private nextNonceSweep = 0;
  private faults: FaultSettings = NO_FAULTS;
  private readonly sockets = new Set<Socket>();
  private counters: MockPortalStats = { connections: 0, servingSockets: 0, requests: 0, byPath: {} };
  /** Sockets already counted in servingSockets; weak, so closed sockets are not kept alive. */
  private servedBy = new WeakSet<Socket>();

  constructor(options: MockPortalOptions) {
    this.o = options;
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('mock portal not started');
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `${this.o.tls ? 'https' : 'http'}://${host === '127.0.0.1' ? 'localhost' : host}:${address.port}`;
  }

  async start(): Promise<string> {
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent) this.plain(res, 500, 'INTERNAL');
        else res.destroy();
      });
    };
    const server = this.o.tls
      ? createHttpsServer({ cert: this.o.tls.certPem, key: this.o.tls.keyPem }, handler)
      : createHttpServer(handler);
    server.keepAliveTimeout = 120_000;
    server.on(this.o.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
      this.counters.connections++;
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port ?? 0, this.o.host ?? '127.0.0.1', () => resolve());
    });
    this.server = server;
    return this.url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Applies a patch to the fault settings; returns them as they are now. */
  setFaults(patch: Partial<FaultSettings>): FaultSettings {
    this.faults = mergeFaults(this.faults, patch);
    return this.faults;
  }

  clearFaults(): FaultSettings {
    this.faults = NO_FAULTS;
    return this.faults;
  }

  /** Forgets every token: the next sealed request gets TOKEN_INVALID (the "expired token" fault). */
  expireTokens(): void {
    this.sessions.clear();
  }

  stats(): MockPortalStats {
    return { ...this.counters, byPath: { ...this.counters.byPath } };
  }

  resetStats(): void {
    this.counters = { connections: 0, servingSockets: 0, requests: 0, byPath: {} };
    this.servedBy = new WeakSet<Socket>();
  }

  /** Portal clock, including the clock-skew fault. */
  portalNow(): number {
    return (this.o.now ?? Date.now)() + this.faults.clockSkewMs;
  }

  // ------------------------------------------------------------------ request handling

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    this.counters.requests++;
    if (!this.servedBy.has(req.socket)) {
      this.servedBy.add(req.socket);
      this.counters.servingSockets++;
    }
    this.counters.byPath[path] = (this.counters.byPath[path] ?? 0) + 1;
    const raw = await readBody(req);
    if (raw === null) return this.plain(res, 413, 'BAD_REQUEST');

    if (path.startsWith('/admin/')) return handleAdminRequest(req, res, path, raw, this, this.o);
    if (req.method !== 'POST') return this.plain(res, 405, 'BAD_REQUEST');

    const faulty = this.faults.paths.length === 0 || this.faults.paths.includes(path);
    if (faulty && this.faults.latencyMs > 0) await new Promise((r) => setTimeout(r, this.faults.latencyMs));
    if (faulty && this.faults.dropConnection) {
      req.socket.destroy();
      return;
    }
    if (faulty && this.faults.httpStatus !== null) {
      res.writeHead(this.faults.httpStatus, { 'content-type': 'text/plain' }).end('service unavailable');
      return;
    }
    if (faulty && this.faults.malformedJson) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"v":1,"ts":');
      return;
    }
    if (faulty && this.faults.plainError !== null) return this.plain(res, 403, this.faults.plainError);

    let body: unknown;
    try {
      body = parseJson(raw.toString('utf8'));
    } catch {
      return this.plain(res, 400, 'BAD_REQUEST');
    }
    if (path === PATHS.authorize) return this.authorize(res, body, faulty);
    if (SEALED_PATHS.has(path)) return this.sealed(req, res, path as PortalPath, body, faulty);
    return this.plain(res, 404, 'BAD_REQUEST');
  }

  private authorize(res: ServerResponse, body: unknown, faulty: boolean): void {
    const { crypto, domain } = this.o;
    let request: AuthorizeRequest;
    try {
      request = readAuthorizeRequest(body);
    } catch {
      this.plain(res, 400, 'BAD_REQUEST');
      return;
    }
    const now = this.portalNow();
    if (Math.abs(request.ts - now) > this.replayWindow()) {
      this.plain(res, 401, 'CLOCK_SKEW');
      return;
    }
    const device = domain.device(request.deviceId);
    if (!device) {
      this.plain(res, 403, 'DEVICE_UNKNOWN');
      return;
    }
    if (!device.vendor.approved) {
      this.plain(res, 403, 'VENDOR_SUSPENDED');
      return;
    }
    const text = Buffer.from(authorizeSigningText(request), 'utf8');
    const appMac = crypto.hmacSm3(Buffer.from(device.vendor.appSecret, 'utf8'), text);
    if (request.appId !== device.vendor.appId || !crypto.equalMac(appMac, Buffer.from(request.appMac, 'hex'))) {
      this.plain(res, 403, 'APP_CREDENTIALS_INVALID');
      return;
    }
    if (!crypto.sm2Verify(device.publicKey, text, Buffer.from(request.sig, 'hex'))) {
      this.plain(res, 403, 'BAD_SIGNATURE');
      return;
    }
    if (!this.rememberNonce(request.nonce, now)) {
      this.plain(res, 401, 'REPLAY');
      return;
    }
    let secret: Buffer;
    try {
      secret = crypto.sm2Decrypt(this.o.portalPrivateKey, Buffer.from(request.sessionKey, 'hex'));
    } catch {
      this.plain(res, 400, 'BAD_REQUEST');
      return;
    }
    if (secret.length !== 32) {
      this.plain(res, 400, 'BAD_REQUEST');
      return;
    }
    const keys = deriveSessionKeys(crypto, secret);
    secret.fill(0);
    const token = crypto.randomBytes(24).toString('base64url');
    const expiresAt = now + (this.o.tokenTtlMs ?? 3_600_000);
    this.sessions.set(token, { deviceId: request.deviceId, keys, expiresAt });
    this.sealAndSend(
      res,
      keys,
      PATHS.authorize,
      request.nonce,
      {
        ok: true,
        result: { token, expiresAt, portalTime: now, binding: this.venueOut(domain.binding(request.deviceId), faulty) },
      },
      faulty,
    );
  }

  private sealed(req: IncomingMessage, res: ServerResponse, path: PortalPath, body: unknown, faulty: boolean): void {
    const header = req.headers.authorization ?? '';
    const token = header.startsWith(`${TOKEN_SCHEME} `) ? header.slice(TOKEN_SCHEME.length + 1) : '';
    const now = this.portalNow();
    const session = this.sessions.get(token);
    if (!session || session.expiresAt <= now) {
      if (session) this.sessions.delete(token);
      this.plain(res, 401, 'TOKEN_INVALID');
      return;
    }
    let opened: OpenedEnvelope;
    try {
      opened = openRequest(this.o.crypto, session.keys, { path, token }, body);
    } catch {
      this.plain(res, 401, 'BAD_MAC');
      return;
    }
    const reply = (answer: ResponseBody<unknown>): void => {
      this.sealAndSend(res, session.keys, path, opened.nonce, answer, faulty);
    };
    const fail = (code: PortalErrorCode): void => {
      reply({ ok: false, error: { code, portalTime: now } });
    };
    if (Math.abs(opened.ts - now) > this.replayWindow()) {
      fail('CLOCK_SKEW');
      return;
    }
    if (!this.rememberNonce(opened.nonce, now)) {
      fail('REPLAY');
      return;
    }
    if (faulty && this.faults.sealedError !== null) {
      fail(this.faults.sealedError);
      return;
    }
    try {
      reply(this.dispatch(path, session.deviceId, opened.ts, opened.nonce, opened.body, faulty));
    } catch {
      fail('BAD_REQUEST');
    }
  }

  private dispatch(
    path: PortalPath,
    deviceId: string,
    ts: number,
    nonce: string,
    body: unknown,
    faulty: boolean,
  ): ResponseBody<unknown> {
    const { domain, crypto } = this.o;
    const refuse = (code: PortalErrorCode): ResponseBody<unknown> => ({ ok: false, error: { code } });
    if (path === PATHS.bind || path === PATHS.rebind) {
      const kind = path === PATHS.bind ? 'bind' : 'rebind';
      const b = readBindBody(body);
      const device = domain.device(deviceId);
      if (!device) return refuse('DEVICE_UNKNOWN');
      const text = Buffer.from(bindSigningText(kind, { deviceId, venueCode: b.venueCode, ts, nonce }), 'utf8');
      if (!crypto.sm2Verify(device.publicKey, text, Buffer.from(b.sig, 'hex'))) return refuse('BAD_SIGNATURE');
      const result = kind === 'bind' ? domain.bind(deviceId, b.venueCode) : domain.rebind(deviceId, b.venueCode);
      if (!result.ok) return refuse(result.error);
      const boundAt = faulty && this.faults.boundAt !== null ? this.faults.boundAt : result.value.boundAt;
      return { ok: true, result: { venue: this.venueOut(result.value.venue, faulty), boundAt } };
    }
    const venue = domain.binding(deviceId);
    if (!venue) return refuse('NOT_BOUND');
    if (path === PATHS.verifyPassCode)
      return { ok: true, result: domain.verifyPassCode(venue, readPassCodeBody(body).code) };
    const card = domain.verifyIdCard(venue, readIdCardBody(body));
    return card.ok ? { ok: true, result: card.value } : refuse(card.error);
  }

  /** A venue as sent, with the venueFields fault applied. */
  private venueOut(venue: VenueInfo | null, faulty: boolean): unknown {
    if (venue === null || !faulty || this.faults.venueFields === null) return venue;
    return { ...venue, ...this.faults.venueFields };
  }

  private sealAndSend(
    res: ServerResponse,
    keys: SessionKeys,
    path: PortalPath,
    requestNonce: string,
    answer: ResponseBody<unknown>,
    faulty: boolean,
  ): void {
    const { crypto } = this.o;
    const envelope = sealResponse(crypto, keys, { path, requestNonce }, answer, {
      ts: this.portalNow(),
      nonce: crypto.randomBytes(NONCE_BYTES).toString('hex'),
      iv: crypto.randomBytes(IV_BYTES),
    });
    if (faulty && this.faults.wrongMac) envelope.mac = (envelope.mac[0] === '0' ? '1' : '0') + envelope.mac.slice(1);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(envelope));
  }

  private plain(res: ServerResponse, status: number, code: PortalErrorCode): void {
    const body: PlainError = { v: PROTOCOL_VERSION, error: { code, portalTime: this.portalNow() } };
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  private replayWindow(): number {
    return this.o.replayWindowMs ?? 120_000;
  }

  /** False when the nonce was seen within the window. Expired nonces are forgotten. */
  private rememberNonce(nonce: string, now: number): boolean {
    // Forget expired nonces at most once a second: a sweep per request would make a long run
    // (the 100,000-scan bench) quadratic.
    if (now >= this.nextNonceSweep) {
      this.nextNonceSweep = now + 1000;
      for (const [n, expiry] of this.seenNonces) if (expiry < now) this.seenNonces.delete(n);
    }
    const expiry = this.seenNonces.get(nonce);
    if (expiry !== undefined && expiry >= now) return false;
    this.seenNonces.set(nonce, now + 2 * this.replayWindow());
    return true;
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
