// HTTP(S) to the portal: JSON POSTs over one kept-alive connection of our own
// (http1-connection.ts). TLS verification is always on and pinned to the configured CA; plain
// http:// needs the explicit dev flag.
import { PassgateError } from '../firmware/core/errors.js';
import type { TimeoutTable } from '../firmware/core/timeouts.js';
import { PortalConnection } from './http1-connection.js';

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
  const https = url.protocol === 'https:';
  const connection = new PortalConnection({
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? (https ? 443 : 80) : Number(url.port),
    tls: https,
    caPem: options.caPem,
    timeouts: options.timeouts,
  });
  return {
    async post(path, headers, body, deadlineMs) {
      const request = requestText(url.host, basePath + path, headers, body);
      const response = await connection.request(request, deadlineMs);
      return { status: response.status, text: response.body.toString('utf8') };
    },
    close: () => connection.close(),
  };
}

const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A value with a control character (CR and LF among them) could end the field early. */
const BAD_FIELD_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/;
const REQUEST_TARGET = /^\/[\x21-\x7e]*$/;
/** Fields that frame the request or the connection: ours to write. */
const OWN_FIELDS = new Set(['host', 'content-length', 'transfer-encoding', 'connection']);

function refused(what: string): PassgateError {
  return new PassgateError('protocol.malformed', `request ${what} cannot be sent over HTTP/1.1`, { what });
}

/** One POST's bytes as one string: request line, Host, JSON content type and length, the caller's fields, the body. */
export function requestText(host: string, target: string, headers: Record<string, string>, body: string): string {
  if (!REQUEST_TARGET.test(target)) throw refused('path');
  let contentType = 'application/json';
  let fields = '';
  for (const name in headers) {
    const value = headers[name];
    const lower = name.toLowerCase();
    if (!FIELD_NAME.test(name) || OWN_FIELDS.has(lower)) throw refused('header name');
    if (typeof value !== 'string' || BAD_FIELD_VALUE.test(value)) throw refused('header value');
    if (lower === 'content-type') contentType = value;
    else fields += `${name}: ${value}\r\n`;
  }
  return (
    `POST ${target} HTTP/1.1\r\nhost: ${host}\r\ncontent-type: ${contentType}\r\n` +
    `content-length: ${Buffer.byteLength(body, 'utf8')}\r\n${fields}\r\n${body}`
  );
}
