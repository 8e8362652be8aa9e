// The texts the device signs with its SM2 key (SM3withSM2, Z over the default user ID), and the
// one encoding a signature may take on the wire: DER. Lines joined by LF; numbers in decimal;
// binary values in lower-case hex.
import { SIGNATURE_DOMAIN } from './constants.js';

export function authorizeSigningText(f: {
  deviceId: string;
  appId: string;
  ts: number;
  nonce: string;
  sessionKey: string;
}): string {
  return [SIGNATURE_DOMAIN, 'authorize', f.deviceId, f.appId, String(f.ts), f.nonce, f.sessionKey].join('\n');
}

/** Bind and rebind sign the venue code together with the envelope's ts and nonce. */
export function bindSigningText(
  kind: 'bind' | 'rebind',
  f: { deviceId: string; venueCode: string; ts: number; nonce: string },
): string {
  return [SIGNATURE_DOMAIN, kind, f.deviceId, f.venueCode, String(f.ts), f.nonce].join('\n');
}

/** One DER INTEGER holding a positive number below 2^256, minimally encoded; its end, or -1. */
function derPositiveIntegerEnd(bytes: Uint8Array, at: number): number {
  if (bytes[at] !== 0x02) return -1;
  const length = bytes[at + 1];
  if (length === undefined || length < 1 || length > 33 || at + 2 + length > bytes.length) return -1;
  const first = bytes[at + 2];
  const second = bytes[at + 3];
  if (first & 0x80) return -1; // negative
  if (first === 0 && (length === 1 || !(second & 0x80))) return -1; // zero, or a needless leading zero
  if (length === 33 && first !== 0) return -1; // 257 bits or more
  return at + 2 + length;
}

/**
 * True when `bytes` are a DER `SEQUENCE { r INTEGER, s INTEGER }` as PROTOCOL.md §1 requires:
 * short-form lengths that add up, both integers positive, minimal and below 2^256, nothing after.
 * A raw r‖s signature, BER length forms or trailing bytes are not DER: the portal refuses them
 * as malformed (BAD_REQUEST) before any verification.
 */
export function isDerSignature(bytes: Uint8Array): boolean {
  if (bytes.length < 8 || bytes[0] !== 0x30 || bytes[1] !== bytes.length - 2) return false;
  const afterR = derPositiveIntegerEnd(bytes, 2);
  return afterR > 0 && derPositiveIntegerEnd(bytes, afterR) === bytes.length;
}
