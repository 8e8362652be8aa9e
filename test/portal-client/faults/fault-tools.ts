// Tools for the portal fault tests, all built from public injection points: a transport that
// records what the client sent and got, a crypto suite that escrows the session secrets the
// client encrypts to the portal (so a test can open sealed answers itself), and a fake portal on
// loopback HTTPS that forwards to the mock, replays earlier answers, or answers whatever a test says.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { timeoutTable } from '../../../firmware/core/timeouts.js';
import type { CryptoSuite } from '../../../portal-client/crypto/suite.js';
import { loadOrCreateTlsMaterial } from '../../../portal-client/mock/tls-material.js';
import { createPortalTransport, type HttpAnswer, type PortalTransport } from '../../../portal-client/transport.js';
import type { PortalFixture } from '../../../scripts/lab/portal-fixture.js';
import { timedExcludingCpuWait } from '../../support/cpu-wait.js';
import { EVENT_WAIT_MS } from '../../support/polling.js';

export interface RecordedExchange {
  path: string;
  headers: Record<string, string>;
  body: string;
  answer: HttpAnswer | null;
}

/** Wraps a transport and records every request and its answer (null when the post failed). */
export function recordingTransport(inner: PortalTransport): PortalTransport & { exchanges: RecordedExchange[] } {
  const exchanges: RecordedExchange[] = [];
  return {
    exchanges,
    async post(path, headers, body, deadlineMs) {
      const exchange: RecordedExchange = { path, headers: { ...headers }, body, answer: null };
      exchanges.push(exchange);
      exchange.answer = await inner.post(path, headers, body, deadlineMs);
      return exchange.answer;
    },
    close: () => inner.close(),
  };
}

/**
 * Delegates to `inner` and keeps a copy of every plaintext given to sm2Encrypt: for the client that
 * is each session secret it sends to the portal. Test-only key escrow.
 */
export function escrowingCrypto(inner: CryptoSuite): CryptoSuite & { sessionSecrets: Buffer[] } {
  const sessionSecrets: Buffer[] = [];
  return {
    sessionSecrets,
    sm3: (data) => inner.sm3(data),
    hmacSm3: (key, data) => inner.hmacSm3(key, data),
    sm4CbcEncrypt: (key, iv, plaintext) => inner.sm4CbcEncrypt(key, iv, plaintext),
    sm4CbcDecrypt: (key, iv, ciphertext) => inner.sm4CbcDecrypt(key, iv, ciphertext),
    sm2GenerateKeyPair: () => inner.sm2GenerateKeyPair(),
    sm2PublicKeyOf: (privateKey) => inner.sm2PublicKeyOf(privateKey),
    sm2Sign: (privateKey, message, userId) => inner.sm2Sign(privateKey, message, userId),
    sm2Verify: (publicKey, message, signature, userId) => inner.sm2Verify(publicKey, message, signature, userId),
    sm2SignDigest: (privateKey, digest) => inner.sm2SignDigest(privateKey, digest),
    sm2VerifyDigest: (publicKey, digest, signature) => inner.sm2VerifyDigest(publicKey, digest, signature),
    sm2Encrypt(publicKey, plaintext) {
      sessionSecrets.push(Buffer.from(plaintext));
      return inner.sm2Encrypt(publicKey, plaintext);
    },
    sm2Decrypt: (privateKey, ciphertext) => inner.sm2Decrypt(privateKey, ciphertext),
    randomBytes: (length) => inner.randomBytes(length),
    equalMac: (a, b) => inner.equalMac(a, b),
  };
}

export interface FakeRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** What the fake portal does with one request: forward it to the mock, or answer this. */
export type FakeAnswer = 'forward' | { status: number; body: string | Buffer };

export interface FakePortal {
  url: string;
  /** Answers the mock gave to forwarded requests, in order. */
  forwarded: { request: FakeRequest; answer: HttpAnswer }[];
  /** Decides each request; default: forward. */
  decide: (request: FakeRequest) => FakeAnswer;
  close(): Promise<void>;
}

/**
 * A fake portal on loopback HTTPS with the mock's own certificate (a portal impostor that got
 * hold of it, or a man in the middle): the client's pinned CA accepts it, so only the sealed
 * envelope stands between it and a verdict.
 */
export async function startFakePortal(f: PortalFixture): Promise<FakePortal> {
  const tls = await loadOrCreateTlsMaterial(join(f.dir, 'mock', 'tls'));
  const upstream = createPortalTransport({
    url: f.mock.url,
    caPem: f.mock.caPem ?? undefined,
    timeouts: timeoutTable(),
  });
  const sockets = new Set<Socket>();
  const fake: FakePortal = {
    url: '',
    forwarded: [],
    decide: () => 'forward',
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await upstream.close();
    },
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request: FakeRequest = {
      path: req.url ?? '/',
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    const decision = fake.decide(request);
    if (decision === 'forward') {
      const headers: Record<string, string> = {};
      if (typeof req.headers.authorization === 'string') headers.authorization = req.headers.authorization;
      const answer = await upstream.post(request.path, headers, request.body, EVENT_WAIT_MS); // liveness only
      fake.forwarded.push({ request, answer });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.text);
    } else {
      res.writeHead(decision.status, { 'content-type': 'application/json' }).end(decision.body);
    }
  };
  const server: Server = createServer({ cert: tls.serverCertPem, key: tls.serverKeyPem }, (req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `https://localhost:${(server.address() as AddressInfo).port}`;
  return fake;
}

/**
 * Runs `fn` and returns its settled outcome with how long it took: `elapsedMs` on the wall clock,
 * `activeMs` without the time this process waited for a CPU (support/cpu-wait.ts). A deadline is
 * asserted on `activeMs`: the client's deadline timer fires late on a loaded machine, and that
 * lateness is the machine's, not the client's.
 */
export const timed = timedExcludingCpuWait;
