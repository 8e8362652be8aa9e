// HTTP(S) to the portal over one keep-alive undici Pool. TLS verification is always on and
// pinned to the configured CA; plain http:// needs the explicit dev flag.
import { Pool, errors as undiciErrors } from 'undici';
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
    async post(path, headers, body, deadlineMs) {
      const controller = new AbortController();
      const timer = setClampedTimeout(() => controller.abort(), Math.max(1, deadlineMs));
      // undici acts on an abort only once the request has a connected socket, so a hung TCP or
      // TLS connect would outlive the deadline (up to portalConnectMs): race the abort as well.
      const abandoned = new Promise<never>((_, reject) => {
        controller.signal.addEventListener(
          'abort',
          () => reject(new PassgateError('portal.timeout', 'portal did not answer within the deadline')),
          { once: true },
        );
      });
      try {
        const res = await Promise.race([
          abandoned,
          pool.request({
            origin: url.origin,
            path: basePath + path,
            method: 'POST',
            headers: { 'content-type': 'application/json', ...headers },
            body,
            signal: controller.signal,
            // Our abort timer is the deadline. undici's own timers run on a coarse shared tick and
            // fired up to 200 ms early on a reused connection, so they are off.
            headersTimeout: 0,
            bodyTimeout: 0,
          }),
        ]);
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of res.body) {
          size += (chunk as Buffer).length;
          if (size > MAX_BODY_BYTES) {
            res.body.destroy();
            throw new PassgateError('portal.bad-response', 'portal response body too large', { size });
          }
          chunks.push(chunk as Buffer);
        }
        return { status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') };
      } catch (error) {
        throw transportError(error, controller.signal.aborted);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      await pool.close().catch(() => pool.destroy());
    },
  };
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
