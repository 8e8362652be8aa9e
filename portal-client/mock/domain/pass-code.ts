// The mock portal's pass codes (通行码): encrypted, authenticated, expiring, and carrying no
// personal data. Only the portal, which holds the master key, can read one.
//
// Format "PGC1" (PROTOCOL.md §Pass codes copies this):
//
//   text     = "PGC1." || base64url-without-padding(blob)
//   blob     = iv (16 random bytes) || ciphertext || tag (16 bytes)
//   ciphertext = SM4-CBC(kEnc, iv, payload), PKCS#7 padded
//   payload  = UTF-8 JSON {"r":"<resident ref, 32 lower-case hex>","i":<issued, unix s>,"e":<expires, unix s>}
//   kEnc     = first 16 bytes of HMAC-SM3(masterKey, "passgate pass-code enc")
//   kMac     = HMAC-SM3(masterKey, "passgate pass-code mac")            (32 bytes)
//   tag      = first 16 bytes of HMAC-SM3(kMac, "PGC1" || iv || ciphertext)
//
// The resident ref is a random handle into the portal's directory, not the ID number, so the code
// reveals nothing about its holder (standard 8.1.2). Base64url must be canonical (the unused low
// bits of the last character zero), so every distinct text is a distinct blob.
//
// Opening checks, in this order: prefix, alphabet, length and block structure ('malformed'), then
// the tag in constant time ('tampered'), then decryption and payload shape ('tampered' if the
// padding is wrong, 'malformed' if the authenticated JSON is not a payload: only a bug or a
// foreign key can produce that), then expiry ('expired', when now ≥ e), then the directory
// ('unknown-resident'). It never throws.

import { PassgateError } from '../../../firmware/core/errors.js';
import type { CryptoSuite } from '../../crypto/suite.js';
import { isResidentRef, type Resident, type ResidentLookup } from './residents.js';

export const PASS_CODE_PREFIX = 'PGC1.';
const TAG_LABEL = Buffer.from('PGC1', 'ascii');
const ENC_LABEL = Buffer.from('passgate pass-code enc', 'utf8');
const MAC_LABEL = Buffer.from('passgate pass-code mac', 'utf8');
const IV_BYTES = 16;
const TAG_BYTES = 16;
const BLOCK_BYTES = 16;
const MIN_MASTER_KEY_BYTES = 16;
/** A real code is 112 bytes (80 of ciphertext), 155 text characters; anything far longer is junk. */
export const MAX_PASS_CODE_CHARS = 512;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

export interface PassCodeKeys {
  kEnc: Buffer;
  kMac: Buffer;
}

export function derivePassCodeKeys(masterKey: Uint8Array, crypto: CryptoSuite): PassCodeKeys {
  return {
    kEnc: crypto.hmacSm3(masterKey, ENC_LABEL).subarray(0, 16),
    kMac: crypto.hmacSm3(masterKey, MAC_LABEL),
  };
}

/**
 * The keys last derived for each crypto suite, with the master key they came from: a portal has
 * one master key and derives the same two keys for every code it issues or opens (two HMAC-SM3
 * of the three a code costs).
 */
const derivedKeys = new WeakMap<CryptoSuite, { masterKey: Buffer; keys: PassCodeKeys }>();

function passCodeKeys(masterKey: Uint8Array, crypto: CryptoSuite): PassCodeKeys {
  const last = derivedKeys.get(crypto);
  if (last?.masterKey.equals(masterKey)) return last.keys;
  const keys = derivePassCodeKeys(masterKey, crypto);
  derivedKeys.set(crypto, { masterKey: Buffer.from(masterKey), keys });
  return keys;
}

function tagOf(kMac: Buffer, iv: Uint8Array, ciphertext: Uint8Array, crypto: CryptoSuite): Buffer {
  return crypto.hmacSm3(kMac, Buffer.concat([TAG_LABEL, iv, ciphertext])).subarray(0, TAG_BYTES);
}

export interface IssuePassCodeOptions {
  /** At least 16 bytes, held only by the portal. */
  masterKey: Uint8Array;
  now: () => number;
  /** Lifetime; the expiry is rounded down to whole seconds. */
  ttlMs: number;
  crypto: CryptoSuite;
}

export interface IssuedPassCode {
  text: string;
  /** unix seconds */
  issuedAt: number;
  /** unix seconds; the code is expired from this second on. */
  expiresAt: number;
}

/**
 * A fresh pass code for a resident. Throws PassgateError 'config.invalid-value' for a short master
 * key, a non-positive ttl or a resident ref that is not 32 hex characters (programming errors).
 */
export function issuePassCode(resident: Pick<Resident, 'ref'>, options: IssuePassCodeOptions): IssuedPassCode {
  const { masterKey, crypto } = options;
  if (!(masterKey instanceof Uint8Array) || masterKey.length < MIN_MASTER_KEY_BYTES) {
    throw new PassgateError('config.invalid-value', 'pass-code master key too short', {
      minBytes: MIN_MASTER_KEY_BYTES,
    });
  }
  if (!Number.isFinite(options.ttlMs) || options.ttlMs <= 0) {
    throw new PassgateError('config.invalid-value', 'pass-code ttl must be positive');
  }
  if (!isResidentRef(resident.ref))
    throw new PassgateError('config.invalid-value', 'resident ref must be 32 hex characters');
  const nowMs = options.now();
  const issuedAt = Math.floor(nowMs / 1000);
  const expiresAt = Math.floor((nowMs + options.ttlMs) / 1000);
  const payload = Buffer.from(JSON.stringify({ r: resident.ref, i: issuedAt, e: expiresAt }), 'utf8');
  const keys = passCodeKeys(masterKey, crypto);
  const iv = crypto.randomBytes(IV_BYTES);
  const ciphertext = crypto.sm4CbcEncrypt(keys.kEnc, iv, payload);
  const blob = Buffer.concat([iv, ciphertext, tagOf(keys.kMac, iv, ciphertext, crypto)]);
  return { text: PASS_CODE_PREFIX + blob.toString('base64url'), issuedAt, expiresAt };
}

export type PassCodeRejection = 'malformed' | 'tampered' | 'expired' | 'unknown-resident';

export type OpenedPassCode =
  | { ok: true; ref: string; resident: Resident; issuedAt: number; expiresAt: number }
  | { ok: false; reason: PassCodeRejection };

export interface OpenPassCodeOptions {
  masterKey: Uint8Array;
  now: () => number;
  crypto: CryptoSuite;
  residents: ResidentLookup;
}

/** The blob inside a pass code's text, or null if the text is not a well-formed PGC1 code. */
export function decodePassCodeBlob(text: unknown): Buffer | null {
  if (typeof text !== 'string' || text.length > MAX_PASS_CODE_CHARS || !text.startsWith(PASS_CODE_PREFIX)) return null;
  const body = text.slice(PASS_CODE_PREFIX.length);
  if (!BASE64URL.test(body) || body.length % 4 === 1) return null;
  const blob = Buffer.from(body, 'base64url');
  if (blob.toString('base64url') !== body) return null; // non-canonical trailing bits
  const ciphertextBytes = blob.length - IV_BYTES - TAG_BYTES;
  if (ciphertextBytes < BLOCK_BYTES || ciphertextBytes % BLOCK_BYTES !== 0) return null;
  return blob;
}

/** Opens a pass code's text. Never throws, whatever `text` is. */
export function openPassCode(text: unknown, options: OpenPassCodeOptions): OpenedPassCode {
  try {
    return open(text, options);
  } catch {
    // Only a broken CryptoSuite or lookup gets here; a code we cannot read is not a valid code.
    return { ok: false, reason: 'malformed' };
  }
}

function open(text: unknown, options: OpenPassCodeOptions): OpenedPassCode {
  const { crypto } = options;
  const blob = decodePassCodeBlob(text);
  if (!blob) return { ok: false, reason: 'malformed' };
  const iv = blob.subarray(0, IV_BYTES);
  const ciphertext = blob.subarray(IV_BYTES, blob.length - TAG_BYTES);
  const tag = blob.subarray(blob.length - TAG_BYTES);
  const keys = passCodeKeys(options.masterKey, crypto);
  if (!crypto.equalMac(tagOf(keys.kMac, iv, ciphertext, crypto), tag)) return { ok: false, reason: 'tampered' };

  let plaintext: Buffer;
  try {
    plaintext = crypto.sm4CbcDecrypt(keys.kEnc, iv, ciphertext);
  } catch {
    return { ok: false, reason: 'tampered' };
  }
  const payload = parsePayload(plaintext);
  if (!payload) return { ok: false, reason: 'malformed' };
  if (options.now() >= payload.e * 1000) return { ok: false, reason: 'expired' };
  const resident = options.residents.byRef(payload.r);
  if (!resident) return { ok: false, reason: 'unknown-resident' };
  return { ok: true, ref: payload.r, resident, issuedAt: payload.i, expiresAt: payload.e };
}

function parsePayload(plaintext: Buffer): { r: string; i: number; e: number } | null {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plaintext));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const { r, i, e } = value as Record<string, unknown>;
  if (!isResidentRef(r) || !Number.isSafeInteger(i) || !Number.isSafeInteger(e)) return null;
  if ((i as number) < 0 || (e as number) < (i as number)) return null;
  return { r, i: i as number, e: e as number };
}
