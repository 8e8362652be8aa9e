// The sealed envelope: SM4-CBC body, HMAC-SM3 over every other field (encrypt-then-MAC).
// A request's MAC covers the path and the session token; a response's MAC covers the path and
// the nonce of the request it answers, so no response can be replayed or moved to another call.

import { PassgateError } from '../../firmware/core/errors.js';
import type { CryptoSuite } from '../crypto/suite.js';
import { IV_BYTES, MAC_DOMAIN, MAX_BODY_BYTES, type PortalPath, PROTOCOL_VERSION } from './constants.js';
import type { SessionKeys } from './session-keys.js';
import { BASE64, HEX_32, HEX_64, parseJson, readInt, readObject, readString } from './wire-reader.js';

export interface SealedEnvelope {
  v: typeof PROTOCOL_VERSION;
  ts: number; // sender's (corrected) clock, ms since the epoch
  nonce: string; // 16 random bytes, hex
  iv: string; // 16 random bytes, hex
  ct: string; // SM4-CBC ciphertext, base64
  mac: string; // HMAC-SM3, hex
}

/** Per-message randomness and time; injected so test vectors are exact. */
export interface SealParams {
  ts: number;
  nonce: string;
  iv: Buffer;
}

export interface RequestBinding {
  path: PortalPath;
  token: string;
}

export interface ResponseBinding {
  path: PortalPath;
  requestNonce: string;
}

export interface OpenedEnvelope {
  ts: number;
  nonce: string;
  body: unknown;
}

const ENVELOPE_FIELDS = ['v', 'ts', 'nonce', 'iv', 'ct', 'mac'] as const;

/** The fields the MAC covers, as sent (a receiver checks the MAC before it checks their shape). */
export interface MacCoveredFields {
  ts: number | string;
  nonce: string;
  iv: string;
  ct: string;
}

export function macText(domain: string, path: string, bindingValue: string, e: MacCoveredFields): string {
  return [domain, `v${PROTOCOL_VERSION}`, path, bindingValue, String(e.ts), e.nonce, e.iv, e.ct].join('\n');
}

function seal(
  crypto: CryptoSuite,
  encKey: Buffer,
  macKey: Buffer,
  domain: string,
  path: string,
  bindingValue: string,
  body: unknown,
  p: SealParams,
): SealedEnvelope {
  if (p.iv.length !== IV_BYTES) throw new PassgateError('crypto.bad-key', 'IV must be 16 bytes');
  const plaintext = Buffer.from(JSON.stringify(body), 'utf8');
  const ct = crypto.sm4CbcEncrypt(encKey, p.iv, plaintext).toString('base64');
  const unsigned = { ts: p.ts, nonce: p.nonce, iv: p.iv.toString('hex'), ct };
  const mac = crypto
    .hmacSm3(macKey, Buffer.from(macText(domain, path, bindingValue, unsigned), 'utf8'))
    .toString('hex');
  return { v: PROTOCOL_VERSION, ...unsigned, mac };
}

/** Shape check only; the MAC is checked by `open`. */
export function readEnvelope(value: unknown): SealedEnvelope {
  const o = readObject(value, 'envelope', ENVELOPE_FIELDS);
  readInt(o, 'v', PROTOCOL_VERSION, PROTOCOL_VERSION);
  return {
    v: PROTOCOL_VERSION,
    ts: readInt(o, 'ts', 0, Number.MAX_SAFE_INTEGER),
    nonce: readString(o, 'nonce', { max: 32, pattern: HEX_32 }),
    iv: readString(o, 'iv', { max: 32, pattern: HEX_32 }),
    ct: readString(o, 'ct', { min: 24, max: Math.ceil((MAX_BODY_BYTES * 4) / 3), pattern: BASE64 }),
    mac: readString(o, 'mac', { max: 64, pattern: HEX_64 }),
  };
}

/** Decrypts and parses an envelope whose MAC verified; the plaintext is zeroed after parsing. */
function decryptBody(crypto: CryptoSuite, encKey: Buffer, e: SealedEnvelope): unknown {
  let plaintext: Buffer;
  try {
    plaintext = crypto.sm4CbcDecrypt(encKey, Buffer.from(e.iv, 'hex'), Buffer.from(e.ct, 'base64'));
  } catch (error) {
    // The MAC verified, so the sender holds the key: a bad padding is the sender's bug.
    throw new PassgateError('protocol.malformed', 'authenticated body does not decrypt', {}, { cause: error });
  }
  try {
    return parseJson(plaintext.toString('utf8'));
  } finally {
    plaintext.fill(0);
  }
}

function open(
  crypto: CryptoSuite,
  encKey: Buffer,
  macKey: Buffer,
  domain: string,
  path: string,
  bindingValue: string,
  value: unknown,
): OpenedEnvelope {
  const e = readEnvelope(value);
  const expected = crypto.hmacSm3(macKey, Buffer.from(macText(domain, path, bindingValue, e), 'utf8'));
  if (!crypto.equalMac(expected, Buffer.from(e.mac, 'hex'))) {
    throw new PassgateError('protocol.unauthenticated', 'envelope MAC does not verify');
  }
  return { ts: e.ts, nonce: e.nonce, body: decryptBody(crypto, encKey, e) };
}

/** A request whose MAC verified over its fields as sent; nothing else about it is checked yet. */
export interface AuthenticatedRequest {
  /** The nonce exactly as sent: the response's MAC binds it, whatever its shape. */
  nonce: string;
  /** The envelope as received, for readEnvelope. */
  value: unknown;
}

const MAC_HEX = /^[0-9a-fA-F]{64}$/;

/**
 * The portal's first check of a sealed request (PROTOCOL.md §5): the MAC over ts, nonce, iv and
 * ct as sent, before their shape is checked, so that a request from the session's holder is
 * answered sealed (BAD_REQUEST) even when malformed. Null when the MAC does not verify, or when
 * no MAC text can be formed (not an object; ts not a number or string; nonce, iv or ct not a
 * string; mac not 64 hex digits).
 */
export function authenticateRequest(
  crypto: CryptoSuite,
  keys: SessionKeys,
  b: RequestBinding,
  value: unknown,
): AuthenticatedRequest | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const { ts, nonce, iv, ct, mac } = value as Record<string, unknown>;
  if (typeof ts !== 'number' && typeof ts !== 'string') return null;
  if (typeof nonce !== 'string' || typeof iv !== 'string' || typeof ct !== 'string') return null;
  if (typeof mac !== 'string' || !MAC_HEX.test(mac)) return null;
  const text = macText(MAC_DOMAIN.request, b.path, b.token, { ts, nonce, iv, ct });
  const expected = crypto.hmacSm3(keys.requestMac, Buffer.from(text, 'utf8'));
  return crypto.equalMac(expected, Buffer.from(mac, 'hex')) ? { nonce, value } : null;
}

/** The body of an authenticated request whose envelope passed readEnvelope; protocol.malformed otherwise. */
export function decryptRequestBody(crypto: CryptoSuite, keys: SessionKeys, e: SealedEnvelope): unknown {
  return decryptBody(crypto, keys.requestEncryption, e);
}

export function sealRequest(
  crypto: CryptoSuite,
  keys: SessionKeys,
  b: RequestBinding,
  body: unknown,
  p: SealParams,
): SealedEnvelope {
  return seal(crypto, keys.requestEncryption, keys.requestMac, MAC_DOMAIN.request, b.path, b.token, body, p);
}

export function openRequest(crypto: CryptoSuite, keys: SessionKeys, b: RequestBinding, value: unknown): OpenedEnvelope {
  return open(crypto, keys.requestEncryption, keys.requestMac, MAC_DOMAIN.request, b.path, b.token, value);
}

export function sealResponse(
  crypto: CryptoSuite,
  keys: SessionKeys,
  b: ResponseBinding,
  body: unknown,
  p: SealParams,
): SealedEnvelope {
  return seal(crypto, keys.responseEncryption, keys.responseMac, MAC_DOMAIN.response, b.path, b.requestNonce, body, p);
}

export function openResponse(
  crypto: CryptoSuite,
  keys: SessionKeys,
  b: ResponseBinding,
  value: unknown,
): OpenedEnvelope {
  return open(crypto, keys.responseEncryption, keys.responseMac, MAC_DOMAIN.response, b.path, b.requestNonce, value);
}
