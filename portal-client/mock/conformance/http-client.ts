// The kit's HTTP: any method, any body text, any headers, so that it can send what a device never
// would (a GET, a body over the limit, a body that is no JSON). TLS is verified against the CA the
// vendor gives (or the system CAs); plain http:// only when the caller allowed it.
import { Agent, request } from 'undici';

export interface RawAnswer {
  status: number;
  text: string;
}

export interface KitHttp {
  send(method: 'POST' | 'GET', path: string, body: string | null, headers?: Record<string, string>): Promise<RawAnswer>;
  close(): Promise<void>;
}

/** Bodies the kit reads back are small; a larger answer is cut here (the portal limit is 64 KiB). */
const MAX_ANSWER_BYTES = 256 * 1024;

export function createKitHttp(o: { portalUrl: URL; caPem: string | null; timeoutMs: number }): KitHttp {
  const dispatcher = new Agent({
    connect: { timeout: o.timeoutMs, rejectUnauthorized: true, ...(o.caPem ? { ca: o.caPem } : {}) },
  });
  const base = o.portalUrl.pathname.replace(/\/$/, '');
  return {
    async send(method, path, body, headers = {}) {
      const res = await request(o.portalUrl.origin + base + path, {
        method,
        dispatcher,
        headers: body === null ? headers : { 'content-type': 'application/json', ...headers },
        body: body ?? undefined,
        headersTimeout: o.timeoutMs,
        bodyTimeout: o.timeoutMs,
        signal: AbortSignal.timeout(o.timeoutMs),
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > MAX_ANSWER_BYTES) {
          res.body.destroy();
          break;
        }
        chunks.push(chunk as Buffer);
      }
      return { status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') };
    },
    async close() {
      await dispatcher.close().catch(() => dispatcher.destroy());
    },
  };
}
