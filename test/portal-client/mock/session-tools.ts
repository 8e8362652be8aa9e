// A real session with the mock portal whose token and keys the test holds (an escrowing crypto
// suite and a recording transport around a genuine client), and requests built by hand on it:
// sealed as the protocol says, or with any envelope field as the test wants it, MAC included.
import { expect } from 'vitest';
import { timeoutTable } from '../../../firmware/core/timeouts.js';
import { ALGORITHMS, MAC_DOMAIN, PATHS, type PortalPath } from '../../../portal-client/protocol/constants.js';
import { macText, openResponse, type SealedEnvelope, sealRequest } from '../../../portal-client/protocol/envelope.js';
import { type ResponseBody, readResponseBody } from '../../../portal-client/protocol/messages.js';
import { deriveSessionKeys, type SessionKeys } from '../../../portal-client/protocol/session-keys.js';
import { authorizeSigningText } from '../../../portal-client/protocol/signing.js';
import { createPortalTransport, type HttpAnswer, type PortalTransport } from '../../../portal-client/transport.js';
import { crypto, type PortalFixture } from '../../../scripts/lab/portal-fixture.js';
import { escrowingCrypto, recordingTransport } from '../faults/fault-tools.js';

export interface HeldSession {
  token: string;
  keys: SessionKeys;
  transport: PortalTransport;
  /** Posts `envelope` (an object, sent as JSON) with this session's token. */
  post(path: PortalPath, envelope: unknown): Promise<HttpAnswer>;
  /** Seals `body` as the protocol says, with this ts (default now) and a fresh nonce. */
  seal(path: PortalPath, body: unknown, ts?: number): { nonce: string; envelope: SealedEnvelope };
  /** Seals `body` as the protocol says, posts it, and opens the sealed answer. */
  call(path: PortalPath, body: unknown): Promise<ResponseBody<unknown>>;
  /** Opens a sealed answer to a request whose nonce (as sent) was `requestNonce`. */
  open(path: PortalPath, requestNonce: string, answer: HttpAnswer): ResponseBody<unknown>;
  close(): Promise<void>;
}

/** A session of the fixture's device, authorized by the client's first verification (of `passCode`). */
export async function holdSession(f: PortalFixture, passCode: string): Promise<HeldSession> {
  const escrow = escrowingCrypto(crypto);
  const timeouts = timeoutTable();
  const recording = recordingTransport(
    createPortalTransport({ url: f.mock.url, caPem: f.mock.caPem ?? undefined, timeouts }),
  );
  const client = f.client({ transport: recording, crypto: escrow });
  await client.verifyPassCode(passCode);
  const token = recording.exchanges
    .find((e) => e.path === PATHS.verifyPassCode)!
    .headers.authorization.slice('PG1 '.length);
  const keys = deriveSessionKeys(crypto, escrow.sessionSecrets[0]);
  const transport = createPortalTransport({ url: f.mock.url, caPem: f.mock.caPem ?? undefined, timeouts });
  const held: HeldSession = {
    token,
    keys,
    transport,
    post: (path, envelope) => transport.post(path, { authorization: `PG1 ${token}` }, JSON.stringify(envelope), 3000),
    open(path, requestNonce, answer) {
      expect(answer.status, `HTTP ${answer.status} on ${path}: ${answer.text.slice(0, 200)}`).toBe(200);
      return readResponseBody(
        openResponse(crypto, keys, { path, requestNonce }, JSON.parse(answer.text)).body,
        (v) => v,
      );
    },
    seal(path, body, ts = Date.now()) {
      const nonce = crypto.randomBytes(16).toString('hex');
      return {
        nonce,
        envelope: sealRequest(crypto, keys, { path, token }, body, { ts, nonce, iv: crypto.randomBytes(16) }),
      };
    },
    async call(path, body) {
      const { nonce, envelope } = held.seal(path, body);
      return held.open(path, nonce, await held.post(path, envelope));
    },
    async close() {
      await client.close();
      await transport.close();
    },
  };
  return held;
}

/** Envelope fields as a test wants them sent; anything the MAC covers may be any string. */
export interface RawEnvelope {
  v?: unknown;
  ts: number | string;
  nonce: string;
  iv: string;
  ct: string;
  [extra: string]: unknown;
}

/**
 * A request envelope whose MAC is computed over the fields exactly as given (so it verifies
 * whatever their shape): the plaintext `body` bytes are SM4-CBC encrypted unless `ct` is given.
 */
export function macedRequest(
  held: Pick<HeldSession, 'keys' | 'token'>,
  path: PortalPath,
  fields: Partial<RawEnvelope> & { body?: Buffer },
): RawEnvelope & { mac: string } {
  const iv = crypto.randomBytes(16);
  const { body, ...rest } = fields;
  const envelope: RawEnvelope = {
    v: 1,
    ts: Date.now(),
    nonce: crypto.randomBytes(16).toString('hex'),
    iv: iv.toString('hex'),
    ct: crypto.sm4CbcEncrypt(held.keys.requestEncryption, iv, body ?? Buffer.from('{}')).toString('base64'),
    ...rest,
  };
  const text = macText(MAC_DOMAIN.request, path, held.token, envelope);
  return { ...envelope, mac: crypto.hmacSm3(held.keys.requestMac, Buffer.from(text, 'utf8')).toString('hex') };
}

export interface AuthorizeOverrides {
  deviceId?: string;
  privateKey?: Buffer;
  appId?: string;
  appSecret?: string;
  ts?: number;
  nonce?: string;
  /** What sessionKey carries: default 32 random bytes encrypted to the mock's key. */
  sessionKey?: string;
  alg?: Record<string, string>;
  /** Replaces the signature the request would get. */
  sig?: string;
}

/** An authorize request for the fixture's device, signed as the protocol says, with `o` applied. */
export function authorizeRequest(f: PortalFixture, o: AuthorizeOverrides = {}): Record<string, unknown> {
  const signed = {
    deviceId: o.deviceId ?? f.deviceId,
    appId: o.appId ?? f.mock.vendor.appId,
    ts: o.ts ?? Date.now(),
    nonce: o.nonce ?? crypto.randomBytes(16).toString('hex'),
    sessionKey: o.sessionKey ?? crypto.sm2Encrypt(f.mock.portalPublicKey, crypto.randomBytes(32)).toString('hex'),
  };
  const text = Buffer.from(authorizeSigningText(signed), 'utf8');
  return {
    v: 1,
    ...signed,
    alg: o.alg ?? { ...ALGORITHMS },
    appMac: crypto.hmacSm3(Buffer.from(o.appSecret ?? f.mock.vendor.appSecret, 'utf8'), text).toString('hex'),
    sig: o.sig ?? crypto.sm2Sign(o.privateKey ?? f.deviceKey.privateKey, text).toString('hex'),
  };
}
