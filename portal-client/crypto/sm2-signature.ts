// The SM2 signature on the wire: DER SEQUENCE { r INTEGER, s INTEGER } (GM/T 0009). Encoding goes
// through der.ts; decoding is strict, because a signature comes from the network: exactly one
// SEQUENCE of two minimal, positive INTEGERs in [1, n-1] and nothing after it. Anything else is
// "no signature", never a second spelling of a valid one.
import { derSequence, derUnsignedInteger } from './der.js';
import { bytesToBigInt, SM2_N } from './sm2-curve.js';

export interface Sm2SignatureValues {
  r: bigint;
  s: bigint;
}

const SEQUENCE = 0x30;
const INTEGER = 0x02;
/** A scalar below n fits 32 bytes, plus the 00 that keeps a leading 1 bit positive. */
const MAX_INTEGER_BYTES = 33;

export function encodeSm2Signature({ r, s }: Sm2SignatureValues): Buffer {
  return derSequence(derUnsignedInteger(r), derUnsignedInteger(s));
}

/** r and s of a DER signature, or undefined for anything not strictly such a signature. */
export function decodeSm2Signature(bytes: Uint8Array): Sm2SignatureValues | undefined {
  // Two INTEGERs of at most 35 bytes each: the SEQUENCE length always has the short form.
  if (bytes.length < 2 || bytes[0] !== SEQUENCE || bytes[1] >= 0x80 || bytes[1] !== bytes.length - 2) return undefined;
  const r = readScalar(bytes, 2);
  if (!r) return undefined;
  const s = readScalar(bytes, r.next);
  if (!s || s.next !== bytes.length) return undefined;
  return { r: r.value, s: s.value };
}

function readScalar(bytes: Uint8Array, at: number): { value: bigint; next: number } | undefined {
  if (at + 2 > bytes.length || bytes[at] !== INTEGER) return undefined;
  const length = bytes[at + 1];
  const start = at + 2;
  const next = start + length;
  if (length === 0 || length > MAX_INTEGER_BYTES || next > bytes.length) return undefined;
  const content = bytes.subarray(start, next);
  if (content[0] & 0x80) return undefined; // negative
  if (content[0] === 0 && (content.length === 1 || !(content[1] & 0x80))) return undefined; // zero or not minimal
  const value = bytesToBigInt(content);
  return value >= 1n && value < SM2_N ? { value, next } : undefined;
}
