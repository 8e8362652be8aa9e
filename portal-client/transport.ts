// HTTP(S) to the portal over one keep-alive undici Pool. TLS verification is always on and
// pinned to the configured CA; plain http:// needs the explicit dev flag.
import { type Dispatcher, Pool, errors as undiciErrors } from 'undici';
import { setClampedTimeout } from '../firmware/core/clock.js';
import { PassgateError } from '../firmware/core/errors.js';
import type { TimeoutTable } from '../firmware/core/timeouts.js';
import { MAX_BODY_BYTES } from './protocol/constants.js';

export interface TransportOptions {
  url: string;
  /** PEM of the CA that signed the portal's certificate. Without it, the system CAs are used. */
  caPem?: string;
  /** Allows http:// URLs. For development and the bundled mock only. */
  allowInsecureHttp?: boolean;
  timeouts: TimeoutTable;
}

export interface HttpAnswer {
  status: number;
  text: string;
}

export interface PortalTransport {
  post(path: string, headers: Record<string, string>, body: string, deadlineMs: number): Promise<HttpAnswer>;
  close(): Promise<void>;
}

/**
 * The portal URL this transport will talk to; throws PassgateError 'portal.insecure-url' for a
 * scheme other than https (http only with the dev flag). The config store runs the same check when
 * either setting changes, so `passgate config set` refuses what the daemon would refuse.
 */
export function checkPortalUrl(text: string, allowInsecureHttp: boolean | undefined): URL {
  const url = new URL(text);
  if (url.protocol === 'http:' && !allowInsecureHttp) {
    throw new PassgateError(
      'portal.insecure-url',
      'plain http:// portal URL refused: TLS is required (dev flag portal.allowInsecureHttp allows it)',
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new PassgateError('portal.insecure-url', `unsupported portal URL scheme ${url.protocol}`);
  }
  return url;
}

export function createPortalTransport(options: TransportOptions): PortalTransport {
  const url = checkPortalUrl(options.url, options.allowInsecureHttp);
  const basePath = url.pathname.replace(/\/$/, '');
  const pool = new Pool(url.origin, {
    connections: 1, // one gate, one verification at a time: one warm connection suffices
    pipelining: 1,
    keepAliveTimeout: options.timeouts.portalKeepAliveMs,
    keepAliveMaxTimeout: options.timeouts.portalKeepAliveMs,
    connect: {
      timeout: options.timeouts.portalConnectMs,
      keepAlive: true,
      keepAliveInitialDelay: options.timeouts.portalTcpKeepAliveMs,
      rejectUnauthorized: true,
      ...(options.caPem ? { ca: options.caPem } : {}),
    },
  });

  return {
    post(path, headers, body, deadlineMs) {
      return new Promise<HttpAnswer>((resolve, reject) => {
        const exchange = new PostExchange(resolve, reject);
        exchange.timer = setClampedTimeout(() => exchange.expire(), Math.max(1, deadlineMs));
        try {
          pool.dispatch(
            {
              origin: url.origin,
              path: basePath + path,
              method: 'POST',
              headers: { 'content-type': 'application/json', ...headers },
              body,
              // Our timer is the deadline. undici's own timers run on a coarse shared tick and
              // fired up to 200 ms early on a reused connection, so they are off.
              headersTimeout: 0,
              bodyTimeout: 0,
            },
            exchange,
          );
        } catch (error) {
          exchange.onError(error as Error);
        }
      });
    },
    async close() {
      await pool.close().catch(() => pool.destroy());
    },
  };
}

/**
 * One POST as undici's dispatcher drives it: the answer's bytes are collected straight from the
 * connection (no response stream, no async iterator, no AbortSignal), which is most of the
 * client's JavaScript per request. Settles exactly once: with the answer, a typed error, or
 * portal.timeout when the deadline timer fires first.
 */
class PostExchange implements Dispatcher.DispatchHandler {
  timer: ReturnType<typeof setClampedTimeout> | undefined;
  private abortRequest: ((reason?: Error) => void) | undefined;
  private settled = false;
  private expired = false;
  private status = 0;
  private size = 0;
  private readonly chunks: Buffer[] = [];

  constructor(
    private readonly resolve: (answer: HttpAnswer) => void,
    private readonly reject: (error: PassgateError) => void,
  ) {}

  /**
   * The deadline. undici can abort a request only once it has a connection, so a hung TCP or
   * TLS connect would outlive the deadline (up to portalConnectMs): the call fails now, and the
   * request is aborted as soon as undici hands it its abort.
   */
  expire(): void {
    this.expired = true;
    this.abortRequest?.(new PassgateError('portal.timeout', 'portal did not answer within the deadline'));
    this.fail(new PassgateError('portal.timeout', 'portal did not answer within the deadline'));
  }

  onConnect(abort: (reason?: Error) => void): void {
    this.abortRequest = abort;
    if (this.settled) abort(new PassgateError('portal.timeout', 'portal did not answer within the deadline'));
  }

  onHeaders(statusCode: number): boolean {
    this.status = statusCode;
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.size += chunk.length;
    if (this.size > MAX_BODY_BYTES) {
      const error = new PassgateError('portal.bad-response', 'portal response body too large', { size: this.size });
      this.abortRequest?.(error);
      this.fail(error);
      return false;
    }
    this.chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.resolve({ status: this.status, text: Buffer.concat(this.chunks).toString('utf8') });
  }

  onError(error: Error): void {
    this.fail(transportError(error, this.expired));
  }

  private fail(error: PassgateError): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.reject(error);
  }
}

const TLS_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|HOSTNAME|ALTNAME|SSL/;

function transportError(error: unknown, aborted: boolean): PassgateError {
  if (error instanceof PassgateError) return error;
  if (aborted || error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) {
    return new PassgateError('portal.timeout', 'portal did not answer within the deadline', {}, { cause: error });
  }
  const code = String(
    (error as { code?: unknown }).code ?? (error as { cause?: { code?: unknown } }).cause?.code ?? '',
  );
  if (error instanceof undiciErrors.ConnectTimeoutError) {
    return new PassgateError('portal.timeout', 'connecting to the portal timed out', { errno: code }, { cause: error });
  }
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
