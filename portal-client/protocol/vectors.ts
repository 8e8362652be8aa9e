// Computes the test vectors of PROTOCOL.md §10 from their fixed inputs. The vector test checks the
// document's expected values against this; scripts/lab/protocol-vectors.ts prints the block anew
// (the SM2 values differ each run: SM2 signing and encryption are randomised, so the document
// fixes one signature and one ciphertext that must verify and decrypt).
import type { CryptoSuite } from '../crypto/suite.js';
import { PATHS, TOKEN_SCHEME } from './constants.js';
import { macText, sealRequest, sealResponse } from './envelope.js';
import { deriveSessionKeys } from './session-keys.js';
import { authorizeSigningText } from './signing.js';

/** Where PROTOCOL.md holds the vectors: a JSON block between these markers. */
export const VECTOR_BLOCK = /<!-- vectors:begin -->\s*```json\n([\s\S]*?)```\s*<!-- vectors:end -->/;

export interface VectorInputs {
  devicePrivateKey: string;
  portalPrivateKey: string;
  deviceId: string;
  appId: string;
  appSecret: string;
  sessionSecret: string;
  token: string;
  authorize: { ts: number; nonce: string };
  request: { ts: number; nonce: string; iv: string; body: unknown };
  response: { ts: number; nonce: string; iv: string; body: unknown };
  /** An ID-card request: a non-ASCII name, and a ciphertext whose base64 needs padding. */
  idCardRequest: { ts: number; nonce: string; iv: string; body: unknown };
}

export interface VectorOutputs {
  devicePublicKey: string;
  portalPublicKey: string;
  keys: { requestEncryption: string; requestMac: string; responseEncryption: string; responseMac: string };
  authorizeAppMac: string;
  requestMacText: string;
  requestEnvelope: unknown;
  requestAuthorization: string;
  responseEnvelope: unknown;
  idCardRequestEnvelope: unknown;
}

export function computeVectors(crypto: CryptoSuite, i: VectorInputs, sessionKeyHex: string): VectorOutputs {
  const hex = (b: Buffer) => b.toString('hex');
  const keys = deriveSessionKeys(crypto, Buffer.from(i.sessionSecret, 'hex'));
  const path = PATHS.verifyPassCode;
  const requestEnvelope = sealRequest(crypto, keys, { path, token: i.token }, i.request.body, {
    ts: i.request.ts,
    nonce: i.request.nonce,
    iv: Buffer.from(i.request.iv, 'hex'),
  });
  const responseEnvelope = sealResponse(crypto, keys, { path, requestNonce: i.request.nonce }, i.response.body, {
    ts: i.response.ts,
    nonce: i.response.nonce,
    iv: Buffer.from(i.response.iv, 'hex'),
  });
  const idCardRequestEnvelope = sealRequest(
    crypto,
    keys,
    { path: PATHS.verifyIdCard, token: i.token },
    i.idCardRequest.body,
    { ts: i.idCardRequest.ts, nonce: i.idCardRequest.nonce, iv: Buffer.from(i.idCardRequest.iv, 'hex') },
  );
  const signingText = authorizeSigningText({
    deviceId: i.deviceId,
    appId: i.appId,
    ts: i.authorize.ts,
    nonce: i.authorize.nonce,
    sessionKey: sessionKeyHex,
  });
  return {
    devicePublicKey: hex(crypto.sm2PublicKeyOf(Buffer.from(i.devicePrivateKey, 'hex'))),
    portalPublicKey: hex(crypto.sm2PublicKeyOf(Buffer.from(i.portalPrivateKey, 'hex'))),
    keys: {
      requestEncryption: hex(keys.requestEncryption),
      requestMac: hex(keys.requestMac),
      responseEncryption: hex(keys.responseEncryption),
      responseMac: hex(keys.responseMac),
    },
    authorizeAppMac: hex(crypto.hmacSm3(Buffer.from(i.appSecret, 'utf8'), Buffer.from(signingText, 'utf8'))),
    requestMacText: macText('PG1-REQ', path, i.token, requestEnvelope),
    requestEnvelope,
    requestAuthorization: `${TOKEN_SCHEME} ${i.token}`,
    responseEnvelope,
    idCardRequestEnvelope,
  };
}
