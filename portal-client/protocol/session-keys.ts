// Per-direction keys derived from the session secret the device sends in authorize. Separate
// keys per direction mean a captured request can never be reflected back as a valid response.

import { PassgateError } from '../../firmware/core/errors.js';
import type { CryptoSuite } from '../crypto/suite.js';
import { KEY_LABELS, SESSION_SECRET_BYTES } from './constants.js';

export interface SessionKeys {
  requestEncryption: Buffer; // 16 bytes, SM4
  requestMac: Buffer; // 32 bytes, HMAC-SM3
  responseEncryption: Buffer;
  responseMac: Buffer;
}

export function deriveSessionKeys(crypto: CryptoSuite, secret: Uint8Array): SessionKeys {
  if (secret.length !== SESSION_SECRET_BYTES) {
    throw new PassgateError('crypto.bad-key', `session secret must be ${SESSION_SECRET_BYTES} bytes`);
  }
  const derive = (label: string) => crypto.hmacSm3(secret, Buffer.from(label, 'utf8'));
  return {
    requestEncryption: derive(KEY_LABELS.requestEncryption).subarray(0, 16),
    requestMac: derive(KEY_LABELS.requestMac),
    responseEncryption: derive(KEY_LABELS.responseEncryption).subarray(0, 16),
    responseMac: derive(KEY_LABELS.responseMac),
  };
}
