// Computes the test vectors of PROTOCOL.md §Test vectors from their fixed inputs. The vector test
// checks the document's expected values against this; `npm run protocol-vectors` prints fresh
// ones (the SM2 values differ each run: SM2 signing and encryption are randomised, so the document
// fixes one signature and one ciphertext that must verify and decrypt).
import type { CryptoSuite } from '../crypto/suite.js';
import { PATHS, TOKEN_SCHEME } from './constants.js';
import { macText, sealRequest, sealResponse } from './envelope.js';
import { deriveSessionKeys } from './session-keys.js';
import { authorizeSigningText } from './signing.js';

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
  };
}
