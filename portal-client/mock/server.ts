// The bundled mock portal: a real HTTP(S) server speaking reference protocol v1 through the same
// protocol module the device uses. Used by tests, the bench and the demo. This file is the HTTP
// side (listening, faults, counters, turning answers into responses); authorize-handler.ts and
// sealed-handler.ts decide what each request gets.
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
} from '../protocol/constants.js';
import { sealResponse } from '../protocol/envelope.js';
import { HTTP_LEVEL_BAD_REQUEST_STATUS, PLAIN_ERROR_STATUS } from '../protocol/http-status.js';
import type { PlainError, PortalErrorCode, ResponseBody } from '../protocol/messages.js';
import { parseJson } from '../protocol/wire-reader.js';
import { handleAdminRequest } from './admin-api.js';
import { answerAuthorize } from './authorize-handler.js';
import { type FaultSettings, mergeFaults, NO_FAULTS } from './faults.js';
import { NonceMemory } from './nonce-memory.js';
import type { PortalAnswer, PortalContext } from './portal-context.js';
import type { PortalDomain } from './portal-domain.js';
import { type MockPortalStats, RequestCounters } from './request-counters.js';
import { answerSealed, SEALED_PATHS } from './sealed-handler.js';
import { SessionTable } from './sessions.js';
import { DeviationLog, type DeviationSnapshot, type DeviceDeviation, deviation } from './strict/device-deviations.js';
import { StrictInspector } from './strict/strict-inspector.js';
import type { TestBreach } from './test-breaches.js';

export type { MockPortalStats } from './request-counters.js';

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
  /** Wall clock, ms since the epoch: the portal's clock (plus the clock-skew fault). */
  now?: () => number;
  /** Monotonic clock, ms: how long nonces are remembered (default performance.now). */
  monotonicNow?: () => number;
  /** Handles /admin/* requests (registrations, faults) when given. */
  admin?: (path: string, body: unknown) => Promise<unknown> | unknown;
  adminToken?: string;
  /**
   * `serve --strict`: check every request a device sends against PROTOCOL.md and report each
   * deviation (strict/strict-inspector.ts); the answers stay the same.
   */
  strict?: { onDeviation?: (d: DeviceDeviation) => void };
  /** Test-only breaches of PROTOCOL.md (test-breaches.ts): none unless a test asks. */
  testBreaches?: readonly TestBreach[];
}

/** A protocol request (any path but /admin/*) as the HTTP side received it. */
export interface ProtocolRequest {
  method: string;
  /** Without the query string. */
  path: string;
  /** The Authorization header ('' when absent). */
  authorization: string;
  body: Buffer;
}

/** An HTTP answer to write, or 'drop': close the connection without one (the dropConnection fault). */
export type ProtocolReply = { kind: 'answer'; status: number; contentType: string; body: string } | { kind: 'drop' };

/** A fault's plaintext error goes out as an unauthenticated refusal would (see faults.ts). */
const INJECTED_PLAIN_ERROR_STATUS = 403;

export class MockPortal {
  private readonly o: MockPortalOptions;
  private server: Server | null = null;
  private readonly context: PortalContext;
  private readonly sessions = new SessionTable();
  private faults: FaultSettings = NO_FAULTS;
  private readonly sockets = new Set<Socket>();
  private readonly counters = new RequestCounters();
  private readonly inspector: StrictInspector | null;
  private readonly deviationLog = new DeviationLog();

  constructor(options: MockPortalOptions) {
    this.o = options;
    const replayWindowMs = options.replayWindowMs ?? 120_000;
    this.context = {
      crypto: options.crypto,
      domain: options.domain,
      portalPrivateKey: options.portalPrivateKey,
      replayWindowMs,
      tokenTtlMs: options.tokenTtlMs ?? 3_600_000,
      nonces: new NonceMemory(2 * replayWindowMs, options.monotonicNow),
      sessions: this.sessions,
      portalNow: () => this.portalNow(),
      breaches: new Set(options.testBreaches ?? []),
    };
    this.inspector = options.strict
      ? new StrictInspector({
          crypto: options.crypto,
          portalNow: () => this.portalNow(),
          windowMs: replayWindowMs,
          monotonicNow: options.monotonicNow,
          sessions: (token) => this.sessions.find(token, this.portalNow()),
        })
      : null;
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
        if (!res.headersSent) this.write(res, this.plain(500, 'INTERNAL'));
        else res.destroy();
      });
    };
    const server = this.o.tls
      ? createHttpsServer({ cert: this.o.tls.certPem, key: this.o.tls.keyPem }, handler)
      : createHttpServer(handler);
    server.keepAliveTimeout = 120_000;
    server.on(this.o.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
      this.counters.connection();
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
    return this.counters.snapshot();
  }

  resetStats(): void {
    this.counters.reset();
  }

  /** What --strict found in the requests so far; null when the mock is not strict. */
  deviations(): DeviationSnapshot | null {
    return this.inspector ? this.deviationLog.snapshot() : null;
  }

  clearDeviations(): DeviationSnapshot | null {
    this.deviationLog.reset();
    return this.deviations();
  }

  /** Portal clock, including the clock-skew fault. */
  portalNow(): number {
    return (this.o.now ?? Date.now)() + this.faults.clockSkewMs;
  }

  // ------------------------------------------------------------------ request handling

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    this.counters.request(path, req.socket);
    const raw = await readBody(req);
    if (raw === null) {
      if (this.inspector && !path.startsWith('/admin/'))
        this.report([deviation('http.size', path, 'body over 64 KiB')]);
      return this.write(res, this.plain(HTTP_LEVEL_BAD_REQUEST_STATUS.tooLarge, 'BAD_REQUEST'));
    }

    if (path.startsWith('/admin/')) return handleAdminRequest(req, res, path, raw, this, this.o);
    if (this.inspector) this.inspect(req, path, raw);
    const reply = await this.answerRequest({
      method: req.method ?? '',
      path,
      authorization: req.headers.authorization ?? '',
      body: raw,
    });
    if (reply.kind === 'drop') req.socket.destroy();
    else this.write(res, reply);
  }

  /**
   * What a protocol request (any path but /admin/*) gets, faults included, without the socket:
   * the HTTP side above writes it, the fuzzer (scripts/fuzz) calls it with raw bodies directly.
   */
  async answerRequest(r: ProtocolRequest): Promise<ProtocolReply> {
    const { path } = r;
    if (r.method !== 'POST') return this.plain(HTTP_LEVEL_BAD_REQUEST_STATUS.notPost, 'BAD_REQUEST');

    const faulty = this.faults.paths.length === 0 || this.faults.paths.includes(path);
    if (faulty && this.faults.latencyMs > 0) await new Promise((r) => setTimeout(r, this.faults.latencyMs));
    if (faulty && this.faults.dropConnection) return { kind: 'drop' };
    if (faulty && this.faults.httpStatus !== null) {
      return { kind: 'answer', status: this.faults.httpStatus, contentType: 'text/plain', body: 'service unavailable' };
    }
    if (faulty && this.faults.malformedJson) {
      return { kind: 'answer', status: 200, contentType: 'application/json', body: '{"v":1,"ts":' };
    }
    if (faulty && this.faults.plainError !== null) {
      return this.plain(INJECTED_PLAIN_ERROR_STATUS, this.faults.plainError);
    }
    if (path !== PATHS.authorize && !SEALED_PATHS.has(path)) {
      return this.plain(HTTP_LEVEL_BAD_REQUEST_STATUS.unknownPath, 'BAD_REQUEST');
    }
    let body: unknown;
    try {
      body = parseJson(r.body.toString('utf8'));
    } catch {
      return this.plain(PLAIN_ERROR_STATUS.BAD_REQUEST, 'BAD_REQUEST');
    }
    const answer =
      path === PATHS.authorize
        ? answerAuthorize(this.context, body)
        : answerSealed(this.context, {
            path: path as PortalPath,
            authorization: r.authorization,
            body,
            injectedError: faulty ? this.faults.sealedError : null,
          });
    return this.reply(path as PortalPath, answer, faulty);
  }

  private inspect(req: IncomingMessage, path: string, raw: Buffer): void {
    const found = this.inspector?.inspect({
      method: req.method ?? '',
      path,
      contentType: req.headers['content-type'],
      authorization: req.headers.authorization,
      raw,
    });
    this.report(found ?? []);
  }

  private report(found: readonly DeviceDeviation[]): void {
    for (const d of found) {
      this.deviationLog.record(d);
      this.o.strict?.onDeviation?.(d);
    }
  }

  private reply(path: PortalPath, answer: PortalAnswer, faulty: boolean): ProtocolReply {
    if (answer.kind === 'plain') {
      return this.plain(PLAIN_ERROR_STATUS[answer.code] ?? INJECTED_PLAIN_ERROR_STATUS, answer.code);
    }
    const { crypto } = this.o;
    const body = faulty ? withVenueFaults(answer.body, this.faults) : answer.body;
    const envelope = sealResponse(crypto, answer.keys, { path, requestNonce: answer.requestNonce }, body, {
      ts: this.portalNow(),
      nonce: crypto.randomBytes(NONCE_BYTES).toString('hex'),
      iv: crypto.randomBytes(IV_BYTES),
    });
    if (faulty && this.faults.wrongMac) envelope.mac = (envelope.mac[0] === '0' ? '1' : '0') + envelope.mac.slice(1);
    return { kind: 'answer', status: 200, contentType: 'application/json', body: JSON.stringify(envelope) };
  }

  private plain(status: number, code: PortalErrorCode): ProtocolReply & { kind: 'answer' } {
    const body: PlainError = { v: PROTOCOL_VERSION, error: { code, portalTime: this.portalNow() } };
    return { kind: 'answer', status, contentType: 'application/json', body: JSON.stringify(body) };
  }

  private write(res: ServerResponse, reply: ProtocolReply & { kind: 'answer' }): void {
    res.writeHead(reply.status, { 'content-type': reply.contentType }).end(reply.body);
  }
}

/**
 * The venueFields and boundAt faults: genuine, sealed answers whose venue data the device must
 * refuse (authorize's binding, the bind and rebind results).
 */
function withVenueFaults(body: ResponseBody<unknown>, faults: FaultSettings): ResponseBody<unknown> {
  if (!body.ok || (faults.venueFields === null && faults.boundAt === null)) return body;
  const result = { ...(body.result as Record<string, unknown>) };
  const venueOut = (venue: unknown) =>
    venue !== null && typeof venue === 'object' && faults.venueFields !== null
      ? { ...(venue as object), ...faults.venueFields }
      : venue;
  if ('binding' in result) result.binding = venueOut(result.binding);
  if ('venue' in result) {
    result.venue = venueOut(result.venue);
    if (faults.boundAt !== null) result.boundAt = faults.boundAt;
  }
  return { ok: true, result };
}

/**
 * The request body; null when it is over MAX_BODY_BYTES (the rest is read and dropped, so the
 * answer still reaches the client on its connection). Read with plain events: an async iterator
 * over the request cost the mock ~5 % of its CPU per request under a soak's fleet.
 */
function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      outcome();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      else
        settle(() => {
          chunks.length = 0;
          req.resume();
          resolve(null);
        });
    };
    req.on('data', onData);
    req.once('end', () => settle(() => resolve(Buffer.concat(chunks))));
    req.once('error', (error) => settle(() => reject(error)));
    req.once('close', () => settle(() => reject(new Error('request closed before its body ended'))));
  });
}
