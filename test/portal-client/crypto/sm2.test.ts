import fc from 'fast-check';
import smCrypto from 'sm-crypto';
import { describe, expect, it } from 'vitest';
import { isPassgateError } from '../../../firmware/core/errors.js';
import { derSequence, derTlv, derUnsignedInteger } from '../../../portal-client/crypto/der.js';
import { createGmCryptoSuite } from '../../../portal-client/crypto/gm-suite.js';
import { isValidSm2Point, SM2_A, SM2_GX, SM2_GY, SM2_N, SM2_P } from '../../../portal-client/crypto/sm2-curve.js';
import { decodeSm2Signature } from '../../../portal-client/crypto/sm2-signature.js';

// sm-crypto (an independent SM2 in JavaScript, jsbn arithmetic) is the reference the suite must
// interoperate with both ways; the suite itself runs on sm-crypto-v2.
const reference = smCrypto.sm2;
const suite = createGmCryptoSuite();
const pair = suite.sm2GenerateKeyPair();
const other = suite.sm2GenerateKeyPair();
const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (error) {
    return isPassgateError(error) ? error.code : `not a PassgateError: ${String(error)}`;
  }
};
const scalar = (value: bigint): Buffer => Buffer.from(value.toString(16).padStart(64, '0'), 'hex');

describe('SM2 curve and keys', () => {
  it('curve constants agree with the library: G on the curve, 1G = G, (n-2)G = -(2G)', () => {
    const g = Buffer.concat([Buffer.from([4]), scalar(SM2_GX), scalar(SM2_GY)]);
    expect(SM2_A).toBe(SM2_P - 3n);
    expect(isValidSm2Point(g)).toBe(true); // checks our b against our G
    expect(suite.sm2PublicKeyOf(scalar(1n))).toEqual(g); // the library's G is ours
    const twoG = suite.sm2PublicKeyOf(scalar(2n));
    const minusTwoG = suite.sm2PublicKeyOf(scalar(SM2_N - 2n)); // checks our n
    expect(minusTwoG.subarray(1, 33)).toEqual(twoG.subarray(1, 33));
    const y = BigInt('0x' + twoG.subarray(33).toString('hex'));
    expect(minusTwoG.subarray(33)).toEqual(scalar(SM2_P - y));
  });

  it('generates valid, distinct key pairs whose public key matches sm2PublicKeyOf', () => {
    expect(pair.privateKey.length).toBe(32);
    expect(pair.publicKey.length).toBe(65);
    expect(pair.publicKey[0]).toBe(4);
    expect(suite.sm2PublicKeyOf(pair.privateKey)).toEqual(pair.publicKey);
    expect(pair.privateKey.equals(other.privateKey)).toBe(false);
  });

  it('rejects private keys outside [1, n-2] and of the wrong length with crypto.bad-key', () => {
    for (const bad of [
      scalar(0n),
      scalar(SM2_N - 1n),
      scalar(SM2_N),
      Buffer.alloc(32, 0xff),
      Buffer.alloc(31, 1),
      Buffer.alloc(33, 1),
    ]) {
      expect(codeOf(() => suite.sm2PublicKeyOf(bad))).toBe('crypto.bad-key');
      expect(codeOf(() => suite.sm2Sign(bad, Buffer.from('m')))).toBe('crypto.bad-key');
      expect(codeOf(() => suite.sm2Decrypt(bad, suite.sm2Encrypt(pair.publicKey, Buffer.from('m'))))).toBe(
        'crypto.bad-key',
      );
    }
    expect(codeOf(() => suite.sm2PublicKeyOf(scalar(SM2_N - 2n)))).toBeUndefined();
  });

  it('rejects public keys that are not 04 || X || Y on the curve with crypto.bad-key', () => {
    const offCurve = Buffer.from(pair.publicKey);
    offCurve[64] ^= 1;
    const compressed = Buffer.concat([Buffer.from([2 + (pair.publicKey[64] & 1)]), pair.publicKey.subarray(1, 33)]);
    const xTooBig = Buffer.concat([Buffer.from([4]), scalar(SM2_P + 1n).subarray(-32), pair.publicKey.subarray(33)]);
    const wrongPrefix = Buffer.from(pair.publicKey);
    wrongPrefix[0] = 6;
    for (const bad of [offCurve, compressed, xTooBig, wrongPrefix, Buffer.alloc(65), pair.publicKey.subarray(1)]) {
      expect(codeOf(() => suite.sm2Verify(bad, Buffer.from('m'), Buffer.alloc(70)))).toBe('crypto.bad-key');
      expect(codeOf(() => suite.sm2Encrypt(bad, Buffer.from('m')))).toBe('crypto.bad-key');
    }
  });
});

describe('SM2 signatures', () => {
  const message = Buffer.from([0xff, 0xfe, 0x00, 0x41, 0xe4, 0xb8]);

  it('signs raw bytes as DER r,s that verify; randomised (two signatures differ)', () => {
    const a = suite.sm2Sign(pair.privateKey, message);
    const b = suite.sm2Sign(pair.privateKey, message);
    expect(a[0]).toBe(0x30);
    expect(a.equals(b)).toBe(false);
    expect(suite.sm2Verify(pair.publicKey, message, a)).toBe(true);
    expect(suite.sm2Verify(pair.publicKey, message, b)).toBe(true);
  });

  it('signs with the right key when keys alternate (the public-key cache follows the key)', () => {
    for (const signer of [pair, other, pair]) {
      const signature = suite.sm2Sign(signer.privateKey, message);
      expect(suite.sm2Verify(signer.publicKey, message, signature)).toBe(true);
      expect(suite.sm2Verify(signer === pair ? other.publicKey : pair.publicKey, message, signature)).toBe(false);
    }
  });

  it('draws a fresh nonce per signature: r differs across signatures of the same message', () => {
    // r = (e + x(kG)) mod n with e fixed, so distinct r means distinct nonces k.
    const rs = new Set<string>();
    for (let i = 0; i < 20; i += 1) {
      const signature = suite.sm2Sign(pair.privateKey, message);
      const r = decodeSm2Signature(signature);
      expect(r).toBeDefined();
      rs.add(String(r?.r));
    }
    expect(rs.size).toBe(20);
  });

  it('is interoperable with sm-crypto both ways (byte messages, DER, default and own user ID)', () => {
    const privHex = pair.privateKey.toString('hex');
    const pubHex = pair.publicKey.toString('hex');
    for (const userId of [undefined, 'device-1']) {
      const options = { der: true, hash: true, ...(userId ? { userId } : {}) };
      for (let i = 0; i < 3; i += 1) {
        const theirs = reference.doSignature(Array.from(message), privHex, options);
        expect(suite.sm2Verify(pair.publicKey, message, Buffer.from(theirs, 'hex'), userId)).toBe(true);
        expect(suite.sm2Verify(pair.publicKey, message.subarray(1), Buffer.from(theirs, 'hex'), userId)).toBe(false);
        const ours = suite.sm2Sign(pair.privateKey, message, userId).toString('hex');
        expect(reference.doVerifySignature(Array.from(message), ours, pubHex, options)).toBe(true);
        expect(reference.doVerifySignature(Array.from(message.subarray(1)), ours, pubHex, options)).toBe(false);
      }
    }
  });

  it('signs a digest the way sm-crypto does with hash: false, both ways', () => {
    const digest = suite.sm3(message);
    const ours = suite.sm2SignDigest(pair.privateKey, digest).toString('hex');
    expect(
      reference.doVerifySignature(Array.from(digest), ours, pair.publicKey.toString('hex'), { der: true, hash: false }),
    ).toBe(true);
    const theirs = reference.doSignature(Array.from(digest), pair.privateKey.toString('hex'), {
      der: true,
      hash: false,
    });
    expect(suite.sm2VerifyDigest(pair.publicKey, digest, Buffer.from(theirs, 'hex'))).toBe(true);
  });

  it('refuses a valid signature spelled otherwise: non-minimal, out of range, long form, trailing bytes', () => {
    const signature = suite.sm2Sign(pair.privateKey, message);
    const values = decodeSm2Signature(signature);
    if (!values) throw new Error('our own signature did not decode');
    const { r, s } = values;
    expect(derSequence(derUnsignedInteger(r), derUnsignedInteger(s))).toEqual(signature);
    expect(suite.sm2Verify(pair.publicKey, message, derSequence(derUnsignedInteger(r), derUnsignedInteger(s)))).toBe(
      true,
    );
    /** The INTEGER with one more leading zero byte than DER allows. */
    const padded = (value: bigint): Buffer => {
      const minimal = derUnsignedInteger(value).subarray(2);
      return derTlv(0x02, Buffer.concat([Buffer.from([0]), minimal]));
    };
    const longForm = Buffer.concat([Buffer.from([0x30, 0x81, signature.length - 2]), signature.subarray(2)]);
    for (const bad of [
      derSequence(padded(r), derUnsignedInteger(s)),
      derSequence(derUnsignedInteger(r), padded(s)),
      derSequence(derUnsignedInteger(r + SM2_N), derUnsignedInteger(s)),
      derSequence(derUnsignedInteger(r), derUnsignedInteger(s + SM2_N)),
      longForm,
      Buffer.concat([signature, Buffer.from([0x00])]),
    ]) {
      expect(suite.sm2Verify(pair.publicKey, message, bad)).toBe(false);
    }
  });

  it('fails for a wrong key, wrong user ID, changed message or any flipped signature byte', () => {
    const signature = suite.sm2Sign(pair.privateKey, message, 'device-1');
    expect(suite.sm2Verify(pair.publicKey, message, signature, 'device-1')).toBe(true);
    expect(suite.sm2Verify(other.publicKey, message, signature, 'device-1')).toBe(false);
    expect(suite.sm2Verify(pair.publicKey, message, signature)).toBe(false);
    expect(suite.sm2Verify(pair.publicKey, message.subarray(1), signature, 'device-1')).toBe(false);
    for (let i = 0; i < signature.length; i += 5) {
      const flipped = Buffer.from(signature);
      flipped[i] ^= 0x01;
      expect(suite.sm2Verify(pair.publicKey, message, flipped, 'device-1')).toBe(false);
    }
    expect(suite.sm2Verify(pair.publicKey, message, signature.subarray(0, signature.length - 1), 'device-1')).toBe(
      false,
    );
    expect(suite.sm2Verify(pair.publicKey, message, Buffer.concat([signature, Buffer.from([0])]), 'device-1')).toBe(
      false,
    );
  });

  it('sm2Verify returns false (never throws) for random signature bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ maxLength: 40 }), (signature, msg) => {
        expect(suite.sm2Verify(pair.publicKey, msg, signature)).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it('sm2Verify on random DER-shaped r,s returns false, never throws', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 34 }),
        fc.uint8Array({ minLength: 0, maxLength: 34 }),
        (r, s) => {
          const signature = Buffer.concat([
            Buffer.from([0x30, r.length + s.length + 4, 0x02, r.length]),
            r,
            Buffer.from([0x02, s.length]),
            s,
          ]);
          expect(suite.sm2Verify(pair.publicKey, Buffer.from('m'), signature)).toBe(false);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('sm2Verify with random public key bytes throws only crypto.bad-key', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70 }), (publicKey) => {
        const code = codeOf(() => suite.sm2Verify(publicKey, Buffer.from('m'), Buffer.alloc(8)));
        expect(code === undefined || code === 'crypto.bad-key').toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('SM2 encryption (C1C3C2, C1 with 04)', () => {
  it('round trips and has the expected layout', () => {
    for (const length of [1, 31, 32, 33, 100]) {
      const plain = suite.randomBytes(length);
      const ct = suite.sm2Encrypt(pair.publicKey, plain);
      expect(ct.length).toBe(65 + 32 + length);
      expect(ct[0]).toBe(4);
      expect(isValidSm2Point(ct.subarray(0, 65))).toBe(true);
      expect(suite.sm2Decrypt(pair.privateKey, ct)).toEqual(plain);
    }
  });

  it('is interoperable with sm-crypto (cipherMode 1) both ways', () => {
    for (const plain of [Buffer.from([0x00, 0xff, 0x80, 0x41, 0x00]), suite.randomBytes(32), suite.randomBytes(77)]) {
      const theirs = reference.doEncrypt(Array.from(plain), pair.publicKey.toString('hex'), 1);
      expect(theirs).toHaveLength((64 + 32 + plain.length) * 2); // sm-crypto omits the 04
      expect(suite.sm2Decrypt(pair.privateKey, Buffer.from('04' + theirs, 'hex'))).toEqual(plain);
      const ours = suite.sm2Encrypt(pair.publicKey, plain);
      const back = reference.doDecrypt(ours.subarray(1).toString('hex'), pair.privateKey.toString('hex'), 1, {
        output: 'array',
      });
      expect(Buffer.from(back)).toEqual(plain);
    }
    // C1C2C3 ordering must not be accepted as C1C3C2.
    const wrongOrder = reference.doEncrypt(Array.from(Buffer.alloc(40, 1)), pair.publicKey.toString('hex'), 0);
    expect(codeOf(() => suite.sm2Decrypt(pair.privateKey, Buffer.from('04' + wrongOrder, 'hex')))).toBe(
      'crypto.bad-ciphertext',
    );
  });

  it('draws a fresh ephemeral key per encryption: C1 differs for the same plaintext', () => {
    const plain = Buffer.from('the same session secret');
    const c1s = new Set<string>();
    for (let i = 0; i < 10; i += 1) c1s.add(suite.sm2Encrypt(pair.publicKey, plain).subarray(0, 65).toString('hex'));
    expect(c1s.size).toBe(10);
  });

  it('throws crypto.bad-ciphertext for an sm-crypto ciphertext with C2 or C3 tampered', () => {
    const plain = suite.randomBytes(16);
    const theirs = Buffer.from('04' + reference.doEncrypt(Array.from(plain), pair.publicKey.toString('hex'), 1), 'hex');
    for (const i of [65, 96, 97, theirs.length - 1]) {
      const tampered = Buffer.from(theirs);
      tampered[i] ^= 0x80;
      expect(codeOf(() => suite.sm2Decrypt(pair.privateKey, tampered))).toBe('crypto.bad-ciphertext');
    }
  });

  it('refuses an empty plaintext (GM/T 0003.4 rejects an all-zero, here empty, KDF output)', () => {
    expect(codeOf(() => suite.sm2Encrypt(pair.publicKey, Buffer.alloc(0)))).toBe('crypto.bad-ciphertext');
  });

  it('throws crypto.bad-ciphertext for a wrong key, any flipped byte, truncation or a missing 04', () => {
    const plain = Buffer.from('session key 16 b');
    const ct = suite.sm2Encrypt(pair.publicKey, plain);
    expect(codeOf(() => suite.sm2Decrypt(other.privateKey, ct))).toBe('crypto.bad-ciphertext');
    for (const i of [0, 1, 40, 64, 65, 80, 96, 97, ct.length - 1]) {
      const flipped = Buffer.from(ct);
      flipped[i] ^= 0x01;
      expect(codeOf(() => suite.sm2Decrypt(pair.privateKey, flipped))).toBe('crypto.bad-ciphertext');
    }
    expect(codeOf(() => suite.sm2Decrypt(pair.privateKey, ct.subarray(0, ct.length - 1)))).toBe(
      'crypto.bad-ciphertext',
    );
    expect(codeOf(() => suite.sm2Decrypt(pair.privateKey, ct.subarray(1)))).toBe('crypto.bad-ciphertext');
    expect(codeOf(() => suite.sm2Decrypt(pair.privateKey, ct.subarray(0, 97)))).toBe('crypto.bad-ciphertext');
  });

  it('sm2Decrypt throws only crypto.bad-ciphertext on random bytes, including valid-point C1', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 140 }), fc.boolean(), (bytes, withPoint) => {
        const input = withPoint ? Buffer.concat([other.publicKey, bytes]) : Buffer.from(bytes);
        expect(codeOf(() => suite.sm2Decrypt(pair.privateKey, input))).toBe('crypto.bad-ciphertext');
      }),
      { numRuns: 150 },
    );
  });
});
