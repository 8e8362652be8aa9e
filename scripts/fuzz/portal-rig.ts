// A mock portal in a temporary directory, reached in process (MockPortal.answerRequest, no
// socket), with one registered and bound device, a client for it, and the session keys the
// client negotiated (escrowed, as only a test harness may), so the fuzzer can seal requests and
// open answers itself.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassgateError } from '../../firmware/core/errors.js';
import { timeoutTable } from '../../firmware/core/timeouts.js';
import { PortalClient } from '../../portal-client/client.js';
import { createGmCryptoSuite } from '../../portal-client/crypto/gm-suite.js';
import type { CryptoSuite, Sm2KeyPair } from '../../portal-client/crypto/suite.js';
import { demoVenues } from '../../portal-client/mock/domain/demo-dataset.js';
import { type RunningMockPortal, startMockPortal } from '../../portal-client/mock/start-mock-portal.js';
import { deriveSessionKeys, type SessionKeys } from '../../portal-client/protocol/session-keys.js';
import type { HttpAnswer, PortalTransport } from '../../portal-client/transport.js';

export interface Exchange {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** Turns the mock's genuine answer into what the client gets (the client target's fuzzing). */
export type AnswerFilter = (exchange: Exchange, genuine: HttpAnswer) => HttpAnswer;

export interface PortalRig {
  crypto: CryptoSuite;
  mock: RunningMockPortal;
  deviceId: string;
  deviceKey: Sm2KeyPair;
  client: PortalClient;
  /** Every request the client sent, in order. */
  sent: Exchange[];
  /** Keys of each session the client negotiated, in order. */
  sessionKeys(): SessionKeys[];
  /** Set to rewrite answers on their way to the client; undefined passes them through. */
  filter: AnswerFilter | undefined;
  /** Sends a request to the mock in process. */
  post(path: string, headers: Record<string, string>, body: string | Uint8Array): Promise<HttpAnswer>;
  close(): Promise<void>;
}

export async function startPortalRig(): Promise<PortalRig> {
  const crypto = createGmCryptoSuite();
  const dir = mkdtempSync(join(tmpdir(), 'pg-fuzz-portal-'));
  const mock = await startMockPortal({ dir, crypto, plainHttp: true, seed: 'fuzz-seed' });
  const deviceId = 'WX-FUZZ-0001';
  const deviceKey = crypto.sm2GenerateKeyPair();
  mock.registerDevice(deviceId, deviceKey.publicKey);
  const secrets: Buffer[] = [];
  const escrow: CryptoSuite = {
    ...crypto,
    sm2Encrypt(publicKey, plaintext) {
      secrets.push(Buffer.from(plaintext));
      if (secrets.length > 8) secrets.shift();
      return crypto.sm2Encrypt(publicKey, plaintext);
    },
  };
  const sent: Exchange[] = [];
  const post = async (path: string, headers: Record<string, string>, body: string | Uint8Array) => {
    const reply = await mock.server.answerRequest({
      method: 'POST',
      path,
      authorization: headers.authorization ?? '',
      body: Buffer.from(body),
    });
    if (reply.kind === 'drop') throw new PassgateError('portal.unreachable', 'the mock dropped the connection');
    return { status: reply.status, text: reply.body };
  };
  const rig: PortalRig = {
    crypto,
    mock,
    deviceId,
    deviceKey,
    client: undefined as unknown as PortalClient,
    sent,
    sessionKeys: () => secrets.map((s) => deriveSessionKeys(crypto, s)),
    filter: undefined,
    post,
    async close() {
      await rig.client.close();
      await mock.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const transport: PortalTransport = {
    async post(path, headers, body) {
      const exchange = { path, headers, body };
      sent.push(exchange);
      if (sent.length > 64) sent.shift();
      const genuine = await post(path, headers, body);
      return rig.filter ? rig.filter(exchange, genuine) : genuine;
    },
    async close() {},
  };
  const timeouts = timeoutTable();
  rig.client = new PortalClient({
    transport,
    crypto: escrow,
    identity: {
      deviceId,
      privateKey: deviceKey.privateKey,
      appId: mock.vendor.appId,
      appSecret: mock.vendor.appSecret,
    },
    portalPublicKey: mock.portalPublicKey,
    timeouts,
  });
  await rig.client.bind(demoVenues()[5].venueCode);
  return rig;
}
