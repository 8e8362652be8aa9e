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
        if (!res.headersSent) this.plain(res, 500, 'INTERNAL');
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
      return this.plain(res, HTTP_LEVEL_BAD_REQUEST_STATUS.tooLarge, 'BAD_REQUEST');
    }

    if (path.startsWith('/admin/')) return handleAdminRequest(req, res, path, raw, this, this.o);
    if (this.inspector) this.inspect(req, path, raw);
    if (req.method !== 'POST') return this.plain(res, HTTP_LEVEL_BAD_REQUEST_STATUS.notPost, 'BAD_REQUEST');

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
    if (faulty && this.faults.plainError !== null) {
      return this.plain(res, INJECTED_PLAIN_ERROR_STATUS, this.faults.plainError);
    }
    if (path !== PATHS.authorize && !SEALED_PATHS.has(path)) {
      return this.plain(res, HTTP_LEVEL_BAD_REQUEST_STATUS.unknownPath, 'BAD_REQUEST');
    }
    let body: unknown;
    try {
      body = parseJson(raw.toString('utf8'));
    } catch {
      return this.plain(res, PLAIN_ERROR_STATUS.BAD_REQUEST, 'BAD_REQUEST');
    }
    const answer =
      path === PATHS.authorize
        ? answerAuthorize(this.context, body)
        : answerSealed(this.context, {
            path: path as PortalPath,
            authorization: req.headers.authorization ?? '',
            body,
            injectedError: faulty ? this.faults.sealedError : null,
          });
    this.send(res, path as PortalPath, answer, faulty);
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

  private send(res: ServerResponse, path: PortalPath, answer: PortalAnswer, faulty: boolean): void {
    if (answer.kind === 'plain') {
      this.plain(res, PLAIN_ERROR_STATUS[answer.code] ?? INJECTED_PLAIN_ERROR_STATUS, answer.code);
      return;
    }
    const { crypto } = this.o;
    const body = faulty ? withVenueFaults(answer.body, this.faults) : answer.body;
    const envelope = sealResponse(crypto, answer.keys, { path, requestNonce: answer.requestNonce }, body, {
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
