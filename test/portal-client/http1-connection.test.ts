// The portal transport's own connection against loopback servers that count connections and
// misbehave on cue: reuse, closes between and under requests, framing, garbage, deadlines, TLS
// trust, one request at a time, and an idle connection that does not keep the process alive.
import { once } from 'node:events';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, createServer as createNetServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { timeoutTable } from '../../firmware/core/timeouts.js';
import { createTlsMaterial, DEFAULT_TLS_HOSTS } from '../../portal-client/mock/tls-material.js';
import { createPortalTransport, type PortalTransport } from '../../portal-client/transport.js';
import { CHILD_TEST_MS, spawnNode } from '../support/cli.js';
import { rejection } from '../support/failures.js';
import { REPO } from '../support/repo.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** What a raw server does with one request it has read in full (its head and body). */
type Reply = (socket: Socket, request: { head: string; body: string; index: number }) => void;

interface RawServer {
  port: number;
  /** Connections accepted so far. */
  connections: Socket[];
  /** Every request read, in order, with the number of the connection it came on. */
  requests: { head: string; body: string; connection: number }[];
}

/** A loopback TCP server reading HTTP/1.1 requests (Content-Length bodies) and replying with `reply`. */
async function rawServer(reply: Reply): Promise<RawServer> {
  const state: RawServer = { port: 0, connections: [], requests: [] };
  const server: Server = createNetServer((socket) => {
    const connection = state.connections.push(socket) - 1;
    socket.on('error', () => undefined);
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffered.toString('latin1', 0, end);
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        const body = buffered.toString('utf8', end + 4, end + 4 + length);
        buffered = buffered.subarray(end + 4 + length);
        const index = state.requests.push({ head, body, connection }) - 1;
        reply(socket, { head, body, index });
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  state.port = (server.address() as AddressInfo).port;
  cleanups.push(async () => {
    for (const s of state.connections) s.destroy();
    server.close();
    await once(server, 'close');
  });
  return state;
}

function answer(body: string, extra = ''): string {
  return `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;
}

const OK = answer('{"ok":true}');

function transportTo(url: string, more: { caPem?: string; timeouts?: Parameters<typeof timeoutTable>[0] } = {}) {
  const transport = createPortalTransport({
    url,
    caPem: more.caPem,
    allowInsecureHttp: url.startsWith('http:'),
    timeouts: timeoutTable(more.timeouts),
  });
  cleanups.push(() => transport.close());
  return transport;
}

const post = (transport: PortalTransport, body = '{}', deadlineMs = 5000) =>
  transport.post('/p', { authorization: 'PG1 t' }, body, deadlineMs);

describe('one kept-alive connection', () => {
  it('carries many posts, each written whole with Host, JSON type, length and the caller fields', async () => {
    const server = await rawServer((socket) => socket.write(OK));
    const transport = transportTo(`http://127.0.0.1:${server.port}/base`);
    for (let i = 0; i < 10; i++)
      expect(await post(transport, `{"i":${i}}`)).toEqual({ status: 200, text: '{"ok":true}' });
    expect(server.connections).toHaveLength(1);
    expect(server.requests[3]).toEqual({
      head: `POST /base/p HTTP/1.1\r\nhost: 127.0.0.1:${server.port}\r\ncontent-type: application/json\r\ncontent-length: 7\r\nauthorization: PG1 t`,
      body: '{"i":3}',
      connection: 0,
    });
  });

  it('posts made at once are sent one after the other on the one connection, and answered in order', async () => {
    let answered = 0;
    let mostUnanswered = 0;
    const server = await rawServer((socket, { index }) => {
      mostUnanswered = Math.max(mostUnanswered, index + 1 - answered);
      setImmediate(() => {
        answered++;
        socket.write(answer(`${index}`));
      });
    });
    const transport = transportTo(`http://127.0.0.1:${server.port}`);
    const answers = await Promise.all([0, 1, 2, 3, 4].map((i) => post(transport, `${i}`)));
    expect(answers.map((a) => a.text)).toEqual(['0', '1', '2', '3', '4']);
    expect(server.requests.map((r) => r.body)).toEqual(['0', '1', '2', '3', '4']);
    expect(mostUnanswered).toBe(1); // never a second request before the answer to the first
    expect(server.connections).toHaveLength(1);
  });

  it('the server closed the idle connection between posts: the next post connects afresh and is answered', async () => {
    const server = await rawServer((socket) => socket.write(OK));
    const transport = transportTo(`http://127.0.0.1:${server.port}`);
    await post(transport);
    const first = server.connections[0];
    first.end();
    await once(first, 'close');
    expect(await post(transport)).toEqual({ status: 200, text: '{"ok":true}' });
    expect(server.connections).toHaveLength(2);
    expect(server.requests.map((r) => r.connection)).toEqual([0, 1]);
  });

  it('a post written into a kept connection the server drops unanswered is sent once more on a new one', async () => {
    const server = await rawServer((socket, { index }) => (index === 1 ? socket.destroy() : socket.write(OK)));
    const transport = transportTo(`http://127.0.0.1:${server.port}`);
    await post(transport, '"a"');
    expect(await post(transport, '"b"')).toEqual({ status: 200, text: '{"ok":true}' });
    expect(server.requests.map((r) => [r.body, r.connection])).toEqual([
      ['"a"', 0],
      ['"b"', 0],
      ['"b"', 1],
    ]);
    expect(server.requests[2].head).toBe(server.requests[1].head); // the same bytes, nonce and all
  });

  it('but only once, and never on a fresh connection: portal.unreachable (errno closed)', async () => {
    const server = await rawServer((socket, { index }) => (index === 0 ? socket.write(OK) : socket.destroy()));
    const transport = transportTo(`http://127.0.0.1:${server.port}`);
    await post(transport);
    const error = await rejection(post(transport));
    expect(error.code).toBe('portal.unreachable');
    expect(server.requests.map((r) => r.connection)).toEqual([0, 0, 1]);
    const fresh = await rejection(post(transport));
    expect(fresh.code).toBe('portal.unreachable');
    expect(fresh.details).toMatchObject({ errno: 'closed', received: 0 });
    expect(server.requests.map((r) => r.connection)).toEqual([0, 0, 1, 2]);
  });

  it('a connection cut in the middle of an answer is not resent: portal.unreachable', async () => {
    const server = await rawServer((socket, { index }) =>
      index === 0 ? socket.write(OK) : socket.end(OK.slice(0, 30)),
    );
    const transport = transportTo(`http://127.0.0.1:${server.port}`);
    await post(transport);
    expect((await rejection(post(transport))).details).toMatchObject({ errno: 'closed', received: 30 });
    expect(server.requests).toHaveLength(2);
  });

  it('Connection: close is honoured: the next post opens a new connection', async () => {
    const server = await rawServer((socket) => socket.write(answer('{}', 'connection: close\r\n')));
    const transport = transportTo(`http://127.0.0.1:${server.port}`);
    for (let i = 0; i < 3; i++) expect(await post(transport)).toEqual({ status: 200, text: '{}' });
    expect(server.requests.map((r) => r.connection)).toEqual([0, 1, 2]);
  });

  it.each([
    [1, [0, 1]],
    [5, [0, 0]],
  ])("a server's Keep-Alive: timeout=%i s (less the margin) bounds the reuse", async (seconds, connections) => {
    const server = await rawServer((socket) => socket.write(answer('{}', `keep-alive: timeout=${seconds}\r\n`)));
    const transport = transportTo(`http://127.0.0.1:${server.port}`);
    await post(transport);
    await post(transport);
    expect(server.requests.map((r) => r.connection)).toEqual(connections);
  });

  it('an answer to the close, and a chunked answer with a trailer, are read', async () => {
    const chunked =
      'HTTP/1.1 201 Created\r\ntransfer-encoding: chunked\r\n\r\n3\r\n{"a\r\n4\r\n":1}\r\n0\r\nx-t: 1\r\n\r\n';
    const server = await rawServer((socket, { index }) =>
      index === 0 ? socket.end('HTTP/1.1 200 OK\r\n\r\n{"to":"close"}') : socket.write(chunked),
    );
    const transport = transportTo(`http://127.0.0.1:${server.port}`);
    expect(await post(transport)).toEqual({ status: 200, text: '{"to":"close"}' });
    expect(await post(transport)).toEqual({ status: 201, text: '{"a":1}' });
    expect(await post(transport)).toEqual({ status: 201, text: '{"a":1}' });
    expect(server.requests.map((r) => r.connection)).toEqual([0, 1, 1]);
  });

  it('garbage for an answer → portal.bad-response; the next post is answered on a new connection', async () => {
    const server = await rawServer((socket, { index }) => socket.write(index === 0 ? 'garbage\r\n\r\n' : OK));
    const transport = transportTo(`http://127.0.0.1:${server.port}`);
    const error = await rejection(post(transport));
    expect(error.code).toBe('portal.bad-response');
    expect(error.details).toEqual({ reason: 'status-line' });
    expect(await post(transport)).toEqual({ status: 200, text: '{"ok":true}' });
    expect(server.connections).toHaveLength(2);
  });

  it('bytes after the answer that nobody asked for: the answer stands, the connection is not used again', async () => {
    const server = await rawServer((socket) => socket.write(`${OK}HTTP/1.1 200 OK\r\n`));
    const transport = transportTo(`http://127.0.0.1:${server.port}`);
    expect(await post(transport)).toEqual({ status: 200, text: '{"ok":true}' });
    expect(await post(transport)).toEqual({ status: 200, text: '{"ok":true}' });
    expect(server.requests.map((r) => r.connection)).toEqual([0, 1]);
  });

  it('bytes arriving on the idle connection: the gate closes it; the next post connects afresh', async () => {
    const server = await rawServer((socket) => socket.write(OK));
    const transport = transportTo(`http://127.0.0.1:${server.port}`);
    await post(transport);
    const first = server.connections[0];
    const closed = once(first, 'close');
    first.write('HTTP/1.1 200 OK\r\n');
    await closed; // closed by the gate, not by the server
    expect(await post(transport)).toEqual({ status: 200, text: '{"ok":true}' });
    expect(server.requests.map((r) => r.connection)).toEqual([0, 1]);
  });

  it('no answer → portal.timeout at the deadline, also for a post queued behind it; the connection is dropped', async () => {
    const server = await rawServer((socket, { index }) => {
      if (index > 0) socket.write(OK);
    });
    const transport = transportTo(`http://127.0.0.1:${server.port}`);
    const hung = post(transport, '{}', 200);
    const queued = post(transport, '{}', 100);
    expect((await rejection(queued)).code).toBe('portal.timeout');
    expect((await rejection(hung)).code).toBe('portal.timeout');
    expect(server.requests).toHaveLength(1); // the queued one timed out before its turn
    expect(await post(transport)).toEqual({ status: 200, text: '{"ok":true}' });
    expect(server.requests.map((r) => r.connection)).toEqual([0, 1]);
  });

  it('a header value with CR or LF, a framing field or a bad path is refused before anything is sent', async () => {
    const server = await rawServer((socket) => socket.write(OK));
    const transport = transportTo(`http://127.0.0.1:${server.port}`);
    const refusedHeaders: Record<string, string>[] = [
      { authorization: 'PG1 t\r\nx-injected: 1' },
      { 'content-length': '1' },
      { 'bad name': 'x' },
    ];
    for (const headers of refusedHeaders) {
      expect((await rejection(transport.post('/p', headers, '{}', 1000))).code).toBe('protocol.malformed');
    }
    expect((await rejection(transport.post('/p q', {}, '{}', 1000))).code).toBe('protocol.malformed');
    expect(server.requests).toHaveLength(0);
  });

  it('close() ends the connection; a post after it fails with portal.unreachable', async () => {
    const server = await rawServer((socket) => socket.write(OK));
    const transport = transportTo(`http://127.0.0.1:${server.port}`);
    await post(transport);
    const closed = once(server.connections[0], 'close');
    await transport.close();
    await closed;
    expect((await rejection(post(transport))).code).toBe('portal.unreachable');
  });

  it('http:// without the dev flag is refused', () => {
    expect(() => createPortalTransport({ url: 'http://127.0.0.1:1', timeouts: timeoutTable() })).toThrow(
      expect.objectContaining({ code: 'portal.insecure-url' }),
    );
  });
});

describe('TLS', () => {
  async function httpsServer(hosts: readonly string[] = DEFAULT_TLS_HOSTS) {
    const tls = createTlsMaterial({ hosts, validDays: 2 });
    let connections = 0;
    const server = createHttpsServer({ cert: tls.serverCertPem, key: tls.serverKeyPem }, (req, res) => {
      req.resume();
      req.on('end', () => res.end('{"tls":true}'));
    });
    server.on('secureConnection', () => connections++);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    });
    return { port: (server.address() as AddressInfo).port, caPem: tls.caCertPem, connections: () => connections };
  }

  it.each(['localhost', '127.0.0.1'])(
    'a server whose CA is configured is trusted (by name or address: %s), one connection for many posts',
    async (host) => {
      const server = await httpsServer();
      const transport = transportTo(`https://${host}:${server.port}`, { caPem: server.caPem });
      for (let i = 0; i < 3; i++) expect(await post(transport)).toEqual({ status: 200, text: '{"tls":true}' });
      expect(server.connections()).toBe(1);
    },
  );

  it('without the CA (system CAs only) the self-signed chain is refused: portal.auth-failed {tls: true}', async () => {
    const server = await httpsServer();
    const error = await rejection(post(transportTo(`https://localhost:${server.port}`)));
    expect(error.code).toBe('portal.auth-failed');
    expect(error.details).toMatchObject({ tls: true });
  });

  it('a certificate for other names than the one asked is refused: portal.auth-failed', async () => {
    const server = await httpsServer(['portal.example']);
    const error = await rejection(post(transportTo(`https://localhost:${server.port}`, { caPem: server.caPem })));
    expect(error.code).toBe('portal.auth-failed');
    expect(error.details).toMatchObject({ tls: true, errno: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });

  it('a CA that did not sign the certificate is refused: portal.auth-failed', async () => {
    const server = await httpsServer();
    const other = createTlsMaterial({ hosts: DEFAULT_TLS_HOSTS, validDays: 2 });
    const error = await rejection(post(transportTo(`https://localhost:${server.port}`, { caPem: other.caCertPem })));
    expect(error.code).toBe('portal.auth-failed');
  });
});

describe('an idle kept connection', () => {
  it(
    'does not keep the process alive: a process that posted once ends by itself',
    async () => {
      const server = await rawServer((socket) => socket.write(OK));
      const code = [
        `const { createPortalTransport } = await import(${JSON.stringify(join(REPO, 'portal-client/transport.ts'))});`,
        `const { timeoutTable } = await import(${JSON.stringify(join(REPO, 'firmware/core/timeouts.ts'))});`,
        `const t = createPortalTransport({ url: 'http://127.0.0.1:${server.port}', allowInsecureHttp: true, timeouts: timeoutTable() });`,
        "const a = await t.post('/p', {}, '{}', 30000);",
        'console.log(a.status);',
      ].join('\n');
      const child = spawnNode('a posting process', ['--import', 'tsx', '--input-type=module', '-e', code], {
        timeoutMs: CHILD_TEST_MS / 2,
      });
      const result = await child.exited;
      expect(result).toMatchObject({ code: 0, signal: null, stdout: '200\n' });
      expect(server.connections).toHaveLength(1);
    },
    CHILD_TEST_MS,
  );
});
