// The portal transport's pooled connection as the kernel sees it: idle, it carries TCP keep-alive
// probes at portalTcpKeepAliveMs, so a NAT that forgets idle connections keeps its mapping.
import { execFileSync } from 'node:child_process';
import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { timeoutTable } from '../../firmware/core/timeouts.js';
import { createTlsMaterial, DEFAULT_TLS_HOSTS } from '../../portal-client/mock/tls-material.js';
import { MAX_BODY_BYTES } from '../../portal-client/protocol/constants.js';
import { createPortalTransport, type PortalTransport } from '../../portal-client/transport.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Listens on a loopback port, closes the server after the test, and gives the port. */
async function listenForTest(server: Server | HttpsServer): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return (server.address() as AddressInfo).port;
}

/** A loopback HTTP server running `handler`, closed after the test. */
async function serverAnswering(handler: RequestListener): Promise<{ port: number; server: Server }> {
  const server = createServer(handler);
  return { port: await listenForTest(server), server };
}

function echoServer(): Promise<{ port: number; server: Server }> {
  return serverAnswering((req, res) => {
    req.resume();
    req.on('end', () => res.end('{"ok":true}'));
  });
}

/** `ss` lines of established TCP connections to the port: the client's end of each. */
function clientSockets(port: number): string[] {
  const out = execFileSync('ss', ['-tnoH', 'state', 'established', `( dport = :${port} )`], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line.trim() !== '');
}

/** The keep-alive timer's seconds left, from ss's `timer:(keepalive,9.9sec,0)`; null without one. */
function keepAliveSecondsLeft(line: string): number | null {
  const m = /timer:\(keepalive,(?:(\d+)min)?([\d.]+)(ms|sec),/.exec(line);
  if (m === null) return null;
  return Number(m[1] ?? 0) * 60 + Number(m[2]) / (m[3] === 'ms' ? 1000 : 1);
}

async function postOnce(transport: PortalTransport): Promise<void> {
  const answer = await transport.post('/ping', {}, '{}', 2000);
  expect(answer).toEqual({ status: 200, text: '{"ok":true}' });
}

describe('portal transport keep-alive', () => {
  it.each([
    ['the default', timeoutTable(), 10],
    ['a configured 3 s', timeoutTable({ portalTcpKeepAliveMs: 3000 }), 3],
  ])('probes its idle pooled connection after %s', async (_what, timeouts, seconds) => {
    expect(timeouts.portalTcpKeepAliveMs).toBe(seconds * 1000);
    const { port } = await echoServer();
    const transport = createPortalTransport({ url: `http://127.0.0.1:${port}`, allowInsecureHttp: true, timeouts });
    cleanups.push(() => transport.close());
    await postOnce(transport);

    const sockets = clientSockets(port);
    expect(sockets).toHaveLength(1); // the one pooled connection, kept for the next request
    const left = keepAliveSecondsLeft(sockets[0]);
    expect(left).not.toBeNull();
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(seconds);

    // The next request goes over the same connection.
    await postOnce(transport);
    expect(clientSockets(port)).toEqual([expect.stringContaining(sockets[0].split(/\s+/)[2])]);
  });

  it('probes its idle TLS connection too', async () => {
    const tls = createTlsMaterial({ hosts: DEFAULT_TLS_HOSTS, validDays: 2 });
    const server = createHttpsServer({ cert: tls.serverCertPem, key: tls.serverKeyPem }, (req, res) => {
      req.resume();
      req.on('end', () => res.end('{"ok":true}'));
    });
    const port = await listenForTest(server);
    const transport = createPortalTransport({
      url: `https://localhost:${port}`,
      caPem: tls.caCertPem,
      timeouts: timeoutTable(),
    });
    cleanups.push(() => transport.close());
    await postOnce(transport);
    const sockets = clientSockets(port);
    expect(sockets).toHaveLength(1);
    expect(keepAliveSecondsLeft(sockets[0])).not.toBeNull();
  });
});

describe('portal transport answers', () => {
  function transportTo(port: number): PortalTransport {
    const transport = createPortalTransport({
      url: `http://127.0.0.1:${port}/base/`,
      allowInsecureHttp: true,
      timeouts: timeoutTable(),
    });
    cleanups.push(() => transport.close());
    return transport;
  }

  it('sends the body and headers to the path under the base URL, and returns status and text', async () => {
    const seen: { url?: string; type?: string; token?: string; body?: string } = {};
    const { port } = await serverAnswering((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        Object.assign(seen, {
          url: req.url,
          type: req.headers['content-type'],
          token: req.headers['x-token'],
          body,
        });
        res.statusCode = 409;
        res.write('{"half":');
        res.end('"two chunks"}');
      });
    });
    const answer = await transportTo(port).post('/verify', { 'x-token': 'abc' }, '{"q":1}', 2000);
    expect(answer).toEqual({ status: 409, text: '{"half":"two chunks"}' });
    expect(seen).toEqual({ url: '/base/verify', type: 'application/json', token: 'abc', body: '{"q":1}' });
  });

  it('an answer over MAX_BODY_BYTES → portal.bad-response; the next request is answered', async () => {
    let big = true;
    const { port } = await serverAnswering((req, res) => {
      req.resume();
      req.on('end', () => res.end(big ? 'x'.repeat(MAX_BODY_BYTES + 1) : '{"ok":true}'));
    });
    const transport = transportTo(port);
    await expect(transport.post('/x', {}, '{}', 2000)).rejects.toMatchObject({ code: 'portal.bad-response' });
    big = false;
    expect(await transport.post('/x', {}, '{}', 2000)).toEqual({ status: 200, text: '{"ok":true}' });
  });

  it('no answer → portal.timeout at the deadline; the next request is answered', async () => {
    let answer = false;
    const { port } = await serverAnswering((req, res) => {
      req.resume();
      if (answer) req.on('end', () => res.end('{"ok":true}'));
    });
    const transport = transportTo(port);
    await expect(transport.post('/x', {}, '{}', 300)).rejects.toMatchObject({ code: 'portal.timeout' });
    answer = true;
    expect(await transport.post('/x', {}, '{}', 2000)).toEqual({ status: 200, text: '{"ok":true}' });
  });
});
