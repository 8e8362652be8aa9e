// The portal gone or silent at the network level: a stopped mock (connection refused) and a
// server that accepts TCP but never speaks TLS. Each ends in its typed error within the deadline.

import type { AddressInfo } from 'node:net';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timeoutTable } from '../../../firmware/core/timeouts.js';
import { PortalClient } from '../../../portal-client/client.js';
import { demoVenues } from '../../../portal-client/mock/domain/demo-dataset.js';
import { type RunningMockPortal, startMockPortal } from '../../../portal-client/mock/start-mock-portal.js';
import { createPortalTransport } from '../../../portal-client/transport.js';
import { crypto, type PortalFixture, startPortalFixture } from '../../../scripts/lab/portal-fixture.js';
import { rejection } from '../../support/failures.js';
import { startFakePortal, timed } from './fault-tools.js';

const DEADLINE_MS = 500;
/** Timer granularity and the client's own work past a deadline; load is left out (fault-tools.ts `timed`). */
const SLACK_MS = 250;

let f: PortalFixture;
let green: string;

beforeAll(async () => {
  f = await startPortalFixture({ deviceId: 'WX-NETWORK-0001' });
  await f.client().bind(demoVenues()[3].venueCode);
  green = f.mock.passCodeFor('green');
});
afterAll(async () => f.close());

/** Accepts TCP connections and never writes a byte: a TLS handshake that never completes. */
async function startSilentServer(port = 0): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `https://localhost:${(server.address() as AddressInfo).port}`,
    server,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function clientFor(url: string, timeouts = timeoutTable({ verifyDeadlineMs: DEADLINE_MS })) {
  return new PortalClient({
    transport: createPortalTransport({ url, caPem: f.mock.caPem ?? undefined, timeouts }),
    crypto,
    identity: {
      deviceId: f.deviceId,
      privateKey: f.deviceKey.privateKey,
      appId: f.mock.vendor.appId,
      appSecret: f.mock.vendor.appSecret,
    },
    portalPublicKey: f.mock.portalPublicKey,
    timeouts,
  });
}

/** The mock restarted by the stopped-portal test; it serves the later tests in its place. */
let restarted: RunningMockPortal | null = null;
afterAll(async () => restarted?.stop());

describe('a portal that is not there', () => {
  it('a stopped portal → portal.unreachable well within the deadline; restarted on its port, the client recovers', async () => {
    const client = f.client({ timeouts: { verifyDeadlineMs: DEADLINE_MS } });
    await client.authorize();
    expect((await client.verifyPassCode(green)).opinion).toBe('PASS');
    const { port } = new URL(f.mock.url);
    await f.mock.stop();

    for (let i = 0; i < 2; i++) {
      const { activeMs, result } = await timed(() => client.verifyPassCode(green));
      expect(result.status).toBe('rejected');
      expect((await rejection(Promise.reject((result as PromiseRejectedResult).reason))).code).toBe(
        'portal.unreachable',
      );
      expect(activeMs).toBeLessThanOrEqual(DEADLINE_MS + SLACK_MS);
    }

    // Same data directory, same port: same CA, keys, registrations and binding. The new process
    // knows no token, so the client re-authorizes once, transparently (within the admin deadline).
    restarted = await startMockPortal({ dir: join(f.dir, 'mock'), crypto, port: Number(port) });
    const recovered = f.client({ timeouts: { verifyDeadlineMs: 3000 } });
    expect((await recovered.verifyPassCode(green)).opinion).toBe('PASS');
    await client.authorize();
    expect((await client.verifyPassCode(green)).opinion).toBe('PASS');
  });
});

describe('a portal that accepts the connection and never answers', () => {
  let silent: Awaited<ReturnType<typeof startSilentServer>>;
  beforeAll(async () => {
    silent = await startSilentServer();
  });
  afterAll(async () => silent.close());

  it('verification (which must first authorize) → portal.timeout within the verification deadline', async () => {
    const client = clientFor(silent.url);
    try {
      const { activeMs, result } = await timed(() => client.verifyPassCode(green));
      expect(result.status).toBe('rejected');
      expect((await rejection(Promise.reject((result as PromiseRejectedResult).reason))).code).toBe('portal.timeout');
      expect(activeMs).toBeLessThanOrEqual(DEADLINE_MS + SLACK_MS);
    } finally {
      await silent.close(); // ends the background authorize's hung handshake
      silent = await startSilentServer();
      await client.close();
    }
  });

  it('an authorized client whose portal goes silent (reconnect hangs in the TLS handshake) → portal.timeout within the deadline', async () => {
    const fake = await startFakePortal(f); // forwards to the mock
    const client = clientFor(fake.url);
    const port = Number(new URL(fake.url).port);
    let hung: Awaited<ReturnType<typeof startSilentServer>> | null = null;
    try {
      await client.authorize();
      expect((await client.verifyPassCode(green)).opinion).toBe('PASS');
      await fake.close(); // drops the warm connection
      hung = await startSilentServer(port);
      const { activeMs, result } = await timed(() => client.verifyPassCode(green));
      expect(result.status).toBe('rejected');
      expect((await rejection(Promise.reject((result as PromiseRejectedResult).reason))).code).toBe('portal.timeout');
      expect(activeMs).toBeLessThanOrEqual(DEADLINE_MS + SLACK_MS);
    } finally {
      await hung?.close();
      await client.close();
    }
  });

  it('the transport alone: a hung TLS handshake ends with portal.timeout at the connect timeout when that is the shorter bound', async () => {
    const transport = createPortalTransport({
      url: silent.url,
      caPem: f.mock.caPem ?? undefined,
      timeouts: timeoutTable({ portalConnectMs: 300 }),
    });
    try {
      const { activeMs, result } = await timed(() => transport.post('/passgate/v1/authorize', {}, '{}', 3000));
      expect(result.status).toBe('rejected');
      expect((await rejection(Promise.reject((result as PromiseRejectedResult).reason))).code).toBe('portal.timeout');
      // The connect timer is an ordinary timer of portalConnectMs: far below the 3 s deadline.
      expect(activeMs).toBeLessThanOrEqual(300 + SLACK_MS);
    } finally {
      await transport.close();
    }
  });

  it('the transport alone: a hung TLS handshake ends with portal.timeout at the request deadline when that is shorter', async () => {
    const transport = createPortalTransport({
      url: silent.url,
      caPem: f.mock.caPem ?? undefined,
      timeouts: timeoutTable(),
    });
    try {
      const { activeMs, result } = await timed(() =>
        transport.post('/passgate/v1/verify/pass-code', {}, '{}', DEADLINE_MS),
      );
      expect(result.status).toBe('rejected');
      expect((await rejection(Promise.reject((result as PromiseRejectedResult).reason))).code).toBe('portal.timeout');
      expect(activeMs).toBeLessThanOrEqual(DEADLINE_MS + SLACK_MS);
    } finally {
      await silent.close();
      silent = await startSilentServer();
      await transport.close();
    }
  });
});
