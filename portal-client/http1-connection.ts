// The gate's one persistent connection to the portal: a TLS socket (plain TCP only for the dev
// flag's http://) carrying one HTTP/1.1 request at a time, kept open between scans. It replaces a
// general HTTP client on the scan path because a gate sleeps between scans and every layer of
// such a client runs cold each time (docs/reliability/SOAK.md, "The daemon's CPU per scan").
//
// A kept-alive connection the server has closed (its FIN seen while idle) is dropped, and the
// next request connects afresh. A close the gate has not seen yet when it writes (the server
// closed an instant before) shows as a reset or an end before any byte of the answer: then, and
// only on a reused connection, the same bytes are sent once more on a new one. That is safe
// because the portal processes a request at most once: every request carries a fresh nonce and
// the portal records it before acting (PROTOCOL.md §4, §5), so a request that did arrive is
// answered REPLAY the second time, never carried out twice.
import type { Socket } from 'node:net';
import { isIP, connect as netConnect } from 'node:net';
import { createSecureContext, type SecureContext, connect as tlsConnect } from 'node:tls';
import { setClampedTimeout } from '../firmware/core/clock.js';
import { PassgateError } from '../firmware/core/errors.js';
import type { TimeoutTable } from '../firmware/core/timeouts.js';
import { type Http1Response, Http1ResponseParser, type Http1Step } from './http1-response.js';

export interface ConnectionTarget {
  /** Host name or IP address (an IPv6 address without brackets). */
  host: string;
  port: number;
  tls: boolean;
  /** PEM of the CA that signed the portal's certificate; without it, the system CAs. */
  caPem?: string;
  timeouts: Pick<
    TimeoutTable,
    'portalConnectMs' | 'portalKeepAliveMs' | 'portalKeepAliveMarginMs' | 'portalTcpKeepAliveMs'
  >;
}

interface Exchange {
  /** The whole request: head and body, written at once. */
  readonly request: string;
  readonly resolve: (response: Http1Response) => void;
  readonly reject: (error: PassgateError) => void;
  timer: ReturnType<typeof setClampedTimeout> | undefined;
  /** Written on a connection kept from an earlier request. */
  reused: boolean;
  /** Sent a second time already (see the top of this file). */
  resent: boolean;
}

const TLS_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|HOSTNAME|ALTNAME|SSL/;

function deadlinePassed(): PassgateError {
  return new PassgateError('portal.timeout', 'portal did not answer within the deadline');
}

/** A socket's error as the portal client reports it: TLS trust, or the network. */
export function socketError(error: unknown): PassgateError {
  if (error instanceof PassgateError) return error;
  const code = String((error as { code?: unknown } | null)?.code ?? '');
  if (TLS_ERROR.test(code)) {
    return new PassgateError(
      'portal.auth-failed',
      'portal TLS certificate not trusted',
      { tls: true, errno: code },
      { cause: error },
    );
  }
  return new PassgateError('portal.unreachable', 'portal unreachable', { errno: code || 'unknown' }, { cause: error });
}

export class PortalConnection {
  #socket: Socket | null = null;
  #connectTimer: ReturnType<typeof setClampedTimeout> | undefined;
  #idleTimer: ReturnType<typeof setClampedTimeout> | undefined;
  #active: Exchange | null = null;
  #parser: Http1ResponseParser | null = null;
  readonly #queue: Exchange[] = [];
  #closed = false;
  #drained: (() => void)[] = [];
  #secureContext: SecureContext | undefined;
  /** The last TLS session, offered again on a reconnect (an abbreviated handshake). */
  #session: Buffer | undefined;

  constructor(private readonly target: ConnectionTarget) {}

  /**
   * Sends `request` when the connection is free (one at a time, in order) and resolves with the
   * response; fails with a PassgateError, portal.timeout once `deadlineMs` has passed since now.
   */
  request(request: string, deadlineMs: number): Promise<Http1Response> {
    if (this.#closed) {
      return Promise.reject(new PassgateError('portal.unreachable', 'portal transport closed', { errno: 'closed' }));
    }
    return new Promise<Http1Response>((resolve, reject) => {
      const exchange: Exchange = { request, resolve, reject, timer: undefined, reused: false, resent: false };
      exchange.timer = setClampedTimeout(() => this.#expire(exchange), Math.max(1, deadlineMs));
      this.#queue.push(exchange);
      if (this.#active === null) this.#next();
    });
  }

  /** Lets the requests under way finish (each within its deadline), then ends the connection. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#active !== null || this.#queue.length > 0) {
      await new Promise<void>((resolve) => this.#drained.push(resolve));
    }
    const socket = this.#socket;
    this.#forget();
    if (socket === null || socket.destroyed) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.end(() => socket.destroy());
    });
  }

  #next(): void {
    const exchange = this.#queue.shift();
    if (exchange === undefined) {
      for (const resolve of this.#drained.splice(0)) resolve();
      return;
    }
    this.#active = exchange;
    this.#parser = new Http1ResponseParser();
    let socket = this.#socket;
    exchange.reused = socket !== null && !socket.destroyed && socket.writable;
    if (socket === null || !exchange.reused) {
      this.#forget();
      socket = this.#open();
    } else {
      clearTimeout(this.#idleTimer);
      socket.ref();
    }
    socket.write(exchange.request);
  }

  #open(): Socket {
    const { host, port, timeouts } = this.target;
    let socket: Socket;
    if (this.target.tls) {
      this.#secureContext ??= createSecureContext(this.target.caPem ? { ca: this.target.caPem } : {});
      socket = tlsConnect({
        host,
        port,
        // SNI takes a name only; for an address the certificate is checked against the IP.
        servername: isIP(host) === 0 ? host : undefined,
        secureContext: this.#secureContext,
        rejectUnauthorized: true,
        session: this.#session,
      });
      socket.on('session', (session: Buffer) => {
        this.#session = session;
      });
    } else {
      socket = netConnect({ host, port });
    }
    this.#socket = socket;
    this.#connectTimer = setClampedTimeout(() => {
      this.#fail(
        socket,
        new PassgateError('portal.timeout', 'connecting to the portal timed out', { errno: 'ETIMEDOUT' }),
      );
    }, timeouts.portalConnectMs);
    socket.once(this.target.tls ? 'secureConnect' : 'connect', () => {
      clearTimeout(this.#connectTimer);
      socket.setNoDelay(true);
      // Probes after this long idle keep a NAT's mapping of the pooled connection (SOAK.md, finding 1).
      socket.setKeepAlive(true, timeouts.portalTcpKeepAliveMs);
    });
    socket.on('data', (chunk: Buffer) => this.#onData(socket, chunk));
    socket.on('end', () => this.#onEnd(socket));
    socket.on('error', (error) => this.#fail(socket, socketError(error)));
    socket.on('close', () => this.#onEnd(socket));
    return socket;
  }

  #onData(socket: Socket, chunk: Buffer): void {
    if (socket !== this.#socket) return;
    if (this.#parser === null) {
      this.#drop(socket); // bytes nobody asked for: the connection is out of step
      return;
    }
    const step = this.#parser.push(chunk);
    if (step.kind !== 'more') this.#complete(socket, step);
  }

  /** The server ended the connection (FIN, or the socket closed). */
  #onEnd(socket: Socket): void {
    if (socket !== this.#socket) return;
    const parser = this.#parser;
    this.#drop(socket);
    if (parser === null) return;
    const step = parser.end(); // a body that runs to the close is complete now; else it failed
    if (step.kind === 'response') this.#settle(this.#active, step.response, null);
    else if (step.kind === 'failed') this.#settle(this.#active, null, step.error);
  }

  #complete(socket: Socket, step: Exclude<Http1Step, { kind: 'more' }>): void {
    if (step.kind === 'failed') {
      this.#fail(socket, step.error);
      return;
    }
    const { response, excess } = step;
    if (response.reusable && excess === 0) this.#idle(socket, response.keepAliveMs);
    else this.#drop(socket);
    this.#settle(this.#active, response, null);
  }

  /** Keeps the connection for the next request, until the idle timeout (the server's, if sooner). */
  #idle(socket: Socket, serverKeepAliveMs: number | null): void {
    const { portalKeepAliveMs, portalKeepAliveMarginMs } = this.target.timeouts;
    const ms =
      serverKeepAliveMs === null
        ? portalKeepAliveMs
        : Math.min(portalKeepAliveMs, serverKeepAliveMs - portalKeepAliveMarginMs);
    if (ms <= 0) {
      this.#drop(socket);
      return;
    }
    this.#idleTimer = setClampedTimeout(() => this.#drop(socket), ms);
    this.#idleTimer.unref();
    socket.unref(); // an idle pooled connection does not keep the process alive
  }

  #fail(socket: Socket, error: PassgateError): void {
    if (socket !== this.#socket) return;
    this.#drop(socket);
    this.#settle(this.#active, null, error);
  }

  #expire(exchange: Exchange): void {
    if (exchange === this.#active) {
      // The answer may still come; on this connection it would be taken for the next one's.
      if (this.#socket !== null) this.#drop(this.#socket);
      this.#settle(exchange, null, deadlinePassed());
      return;
    }
    const queued = this.#queue.indexOf(exchange);
    if (queued >= 0) this.#queue.splice(queued, 1);
    exchange.reject(deadlinePassed());
  }

  #settle(exchange: Exchange | null, response: Http1Response | null, error: PassgateError | null): void {
    if (exchange === null || exchange !== this.#active) return;
    const unanswered = this.#parser?.received === 0;
    this.#active = null;
    this.#parser = null;
    if (error?.code === 'portal.unreachable' && unanswered && exchange.reused && !exchange.resent) {
      exchange.resent = true; // the kept connection was dead already: once more on a new one
      this.#queue.unshift(exchange);
      this.#next();
      return;
    }
    clearTimeout(exchange.timer);
    if (response !== null) exchange.resolve(response);
    else exchange.reject(error ?? deadlinePassed());
    this.#next();
  }

  #drop(socket: Socket): void {
    socket.destroy();
    if (socket === this.#socket) this.#forget();
  }

  #forget(): void {
    clearTimeout(this.#connectTimer);
    clearTimeout(this.#idleTimer);
    this.#socket = null;
  }
}
