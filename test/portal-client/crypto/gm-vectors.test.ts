import { createCipheriv } from 'node:crypto';
import fc from 'fast-check';
import smCrypto from 'sm-crypto';
import { describe, expect, it } from 'vitest';
import { isPassgateError } from '../../../firmware/core/errors.js';
import { createGmCryptoSuite } from '../../../portal-client/crypto/gm-suite.js';

const suite = createGmCryptoSuite();
const bytes = (hex: string): Buffer => Buffer.from(hex, 'hex');

describe('SM3 (GB/T 32905 appendix A vectors)', () => {
  it('hashes "abc"', () => {
    expect(suite.sm3(Buffer.from('abc')).toString('hex')).toBe(
      '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0',
    );
  });

  it('hashes "abcd" x 16 (two blocks)', () => {
    expect(suite.sm3(Buffer.from('abcd'.repeat(16))).toString('hex')).toBe(
      'debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732',
    );
  });

  it('agrees with sm-crypto on random inputs', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
        expect(suite.sm3(data).toString('hex')).toBe(smCrypto.sm3(Array.from(data)));
      }),
      { numRuns: 100 },
    );
  });
});

describe('SM4 (GB/T 32907 appendix A vector)', () => {
  const key = bytes('0123456789abcdeffedcba9876543210');
  const expected = '681edf34d206965e86b3e94f536e4246';

  it('encrypts the vector block with Node sm4-ecb', () => {
    const ecb = createCipheriv('sm4-ecb', key, null).setAutoPadding(false);
    expect(Buffer.concat([ecb.update(key), ecb.final()]).toString('hex')).toBe(expected);
  });

  it('sm4CbcEncrypt with a zero IV gives the vector as first block, then one padding block', () => {
    const out = suite.sm4CbcEncrypt(key, Buffer.alloc(16), key);
    expect(out.length).toBe(32);
    expect(out.subarray(0, 16).toString('hex')).toBe(expected);
    expect(suite.sm4CbcDecrypt(key, Buffer.alloc(16), out)).toEqual(key);
  });

  it('agrees with sm-crypto CBC/PKCS#7 on random inputs, both directions', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.uint8Array({ maxLength: 100 }),
        (k, iv, plain) => {
          const ours = suite.sm4CbcEncrypt(k, iv, plain);
          const theirs = smCrypto.sm4.encrypt(Array.from(plain), Array.from(k), {
            mode: 'cbc',
            iv: Array.from(iv),
            padding: 'pkcs#7',
            output: 'array',
          });
          expect(ours).toEqual(Buffer.from(theirs));
          expect(suite.sm4CbcDecrypt(k, iv, Buffer.from(theirs))).toEqual(Buffer.from(plain));
        },
      ),
      { numRuns: 50 },
    );
  });

  it('rejects a wrong key, wrong length and bad padding with typed errors', () => {
    const iv = Buffer.alloc(16, 7);
    const ct = suite.sm4CbcEncrypt(key, iv, Buffer.from('sixteen byte msg'));
    const wrongKey = Buffer.from(key);
    wrongKey[0] ^= 1;
    // A wrong key leaves valid padding with probability about 1/256; this key/IV pair does not.
    expect(() => suite.sm4CbcDecrypt(wrongKey, iv, ct)).toThrowError(
      expect.objectContaining({ code: 'crypto.bad-ciphertext' }),
    );
    expect(() => suite.sm4CbcDecrypt(key, iv, ct.subarray(0, 31))).toThrowError(
      expect.objectContaining({ code: 'crypto.bad-ciphertext' }),
    );
    expect(() => suite.sm4CbcDecrypt(key, iv, Buffer.alloc(0))).toThrowError(
      expect.objectContaining({ code: 'crypto.bad-ciphertext' }),
    );
    expect(() => suite.sm4CbcEncrypt(key.subarray(0, 15), iv, ct)).toThrowError(
      expect.objectContaining({ code: 'crypto.bad-key' }),
    );
    expect(() => suite.sm4CbcDecrypt(key, iv.subarray(0, 8), ct)).toThrowError(
      expect.objectContaining({ code: 'crypto.bad-key' }),
    );
  });

  it('sm4CbcDecrypt throws only PassgateError on random bytes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 20 }),
        fc.uint8Array({ minLength: 0, maxLength: 20 }),
        fc.uint8Array({ maxLength: 80 }),
        (k, iv, ct) => {
          try {
            suite.sm4CbcDecrypt(k, iv, ct);
          } catch (error) {
            expect(isPassgateError(error)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('HMAC-SM3', () => {
  it('equals sm-crypto hmac on random keys and data (keys longer than a block included)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 100 }), fc.uint8Array({ maxLength: 200 }), (key, data) => {
        expect(suite.hmacSm3(key, data).toString('hex')).toBe(
          smCrypto.sm3(Array.from(data), { key: Array.from(key), mode: 'hmac' }),
        );
      }),
      { numRuns: 100 },
    );
  });

  it('equalMac compares content and length', () => {
    const mac = suite.hmacSm3(Buffer.from('k'), Buffer.from('data'));
    const copy = Buffer.from(mac);
    expect(suite.equalMac(mac, copy)).toBe(true);
    copy[31] ^= 0x01;
    expect(suite.equalMac(mac, copy)).toBe(false);
    expect(suite.equalMac(mac, mac.subarray(0, 16))).toBe(false);
    expect(suite.equalMac(Buffer.alloc(0), Buffer.alloc(0))).toBe(true);
  });

  it('randomBytes returns fresh bytes of the asked length', () => {
    const a = suite.randomBytes(32);
    expect(a.length).toBe(32);
    expect(a.equals(suite.randomBytes(32))).toBe(false);
  });
});
