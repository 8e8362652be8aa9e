// The DER codec of SM2 signatures: every in-range (r, s) round-trips, and nothing but the one DER
// spelling of an in-range pair decodes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { derSequence, derTlv, derUnsignedInteger } from '../../../portal-client/crypto/der.js';
import { SM2_N } from '../../../portal-client/crypto/sm2-curve.js';
import { decodeSm2Signature, encodeSm2Signature } from '../../../portal-client/crypto/sm2-signature.js';

const inRange = fc.bigInt({ min: 1n, max: SM2_N - 1n });
const integer = (content: number[]): Buffer => derTlv(0x02, Buffer.from(content));

describe('SM2 signature DER', () => {
  it('round-trips every (r, s) in [1, n-1], including the smallest and largest', () => {
    fc.assert(
      fc.property(inRange, inRange, (r, s) => {
        expect(decodeSm2Signature(encodeSm2Signature({ r, s }))).toEqual({ r, s });
      }),
      { numRuns: 300 },
    );
    for (const [r, s] of [
      [1n, 1n],
      [SM2_N - 1n, SM2_N - 1n],
      [0x80n, 0x7fn],
    ]) {
      expect(decodeSm2Signature(encodeSm2Signature({ r, s }))).toEqual({ r, s });
    }
  });

  it('refuses values outside [1, n-1]', () => {
    for (const [r, s] of [
      [0n, 1n],
      [1n, 0n],
      [SM2_N, 1n],
      [1n, SM2_N],
      [1n << 256n, 1n],
    ]) {
      expect(decodeSm2Signature(derSequence(derUnsignedInteger(r), derUnsignedInteger(s)))).toBeUndefined();
    }
  });

  it('refuses other spellings: non-minimal, negative, empty INTEGER, long-form length, wrong tags', () => {
    const one = integer([0x01]);
    for (const bad of [
      derSequence(integer([0x00, 0x01]), one), // leading zero not needed
      derSequence(one, integer([0x00, 0x00, 0x80])), // two leading zeros
      derSequence(integer([0x80]), one), // negative
      derSequence(integer([]), one), // no content
      derSequence(one), // one INTEGER
      derSequence(one, one, one), // three
      derTlv(0x31, Buffer.concat([one, one])), // SET, not SEQUENCE
      derSequence(one, derTlv(0x04, Buffer.from([0x01]))), // OCTET STRING for s
      Buffer.from([0x30, 0x81, 0x06, ...one, ...one]), // long form for a short length
      Buffer.concat([derSequence(one, one), Buffer.from([0x00])]), // trailing byte
      derSequence(one, one).subarray(0, 7), // truncated
      derSequence(one, integer(Array(34).fill(0x01))), // longer than any scalar
      Buffer.alloc(0),
    ]) {
      expect(decodeSm2Signature(bad)).toBeUndefined();
    }
    expect(decodeSm2Signature(derSequence(one, integer([0x00, 0x80])))).toEqual({ r: 1n, s: 0x80n });
  });

  it('never throws on random bytes, and what it decodes re-encodes to the same bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const values = decodeSm2Signature(bytes);
        if (values) expect(encodeSm2Signature(values)).toEqual(Buffer.from(bytes));
      }),
      { numRuns: 500 },
    );
  });
});
