// CryptoSuite on sm-crypto (SM2) and Node's built-in OpenSSL (SM3, SM4, HMAC-SM3).
// SM4 and HMAC are on the per-scan path, so they stay in native code; SM2 runs only at
// authorize/bind time and when the portal sends an SM2-wrapped key.
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import smCrypto from 'sm-crypto';
import { PassgateError } from '../../firmware/core/errors.js';
import {
  assertSm2PrivateKey,
  assertSm2PublicKey,
  assertSm2UserId,
  bytesToBigInt,
  isValidSm2Point,
  SM2_N,
  SM2_PUBLIC_KEY_BYTES,
} from './sm2-curve.js';
import { type CryptoSuite, DEFAULT_SM2_USER_ID, type Sm2KeyPair } from './suite.js';

// sm-crypto exports this function; @types/sm-crypto lacks it.
const sm2 = smCrypto.sm2 as typeof smCrypto.sm2 & { getPublicKeyFromPrivateKey(privateKeyHex: string): string };

const SM4_BLOCK_BYTES = 16;
const SM3_DIGEST_BYTES = 32;
/** C1 (65) || C3 (32): the ciphertext of an empty message, which GM/T 0003.4 cannot produce. */
const SM2_CIPHERTEXT_OVERHEAD = SM2_PUBLIC_KEY_BYTES + SM3_DIGEST_BYTES;
const CIPHER_MODE_C1C3C2 = 1;

/** jsbn BigInteger as sm-crypto's pointPool wants it; only construction is needed here. */
type JsbnBigIntegerCtor = new (value: string, radix: number) => unknown;

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** A scalar uniform in [lowest, highest], by rejection sampling from the OS generator. */
function randomScalar(lowest: bigint, highest: bigint): Buffer {
  for (;;) {
    const candidate = randomBytes(32);
    const value = bytesToBigInt(candidate);
    if (value >= lowest && value <= highest) return candidate;
  }
}

function assertSm4KeyAndIv(key: Uint8Array, iv: Uint8Array): void {
  if (key.length !== SM4_BLOCK_BYTES) {
    throw new PassgateError('crypto.bad-key', 'SM4 key must be 16 bytes', { length: key.length });
  }
  if (iv.length !== SM4_BLOCK_BYTES) {
    throw new PassgateError('crypto.bad-key', 'SM4 IV must be 16 bytes', { length: iv.length });
  }
}

export function createGmCryptoSuite(): CryptoSuite {
  let bigIntegerCtor: JsbnBigIntegerCtor | undefined;

  // sm-crypto draws signature nonces from an RC4 stream, whose output is biased; biased SM2
  // nonces leak the private key over many signatures. So every signature gets its nonce k from
  // the OS generator, handed over through doSignature's pointPool option.
  function nonceFromOs(): { k: unknown; x1: unknown } {
    bigIntegerCtor ??= sm2.getPoint().k.constructor as unknown as JsbnBigIntegerCtor;
    const k = randomScalar(1n, SM2_N - 1n).toString('hex');
    const kG = sm2.getPublicKeyFromPrivateKey(k);
    return { k: new bigIntegerCtor(k, 16), x1: new bigIntegerCtor(kG.slice(2, 66), 16) };
  }

  // A device signs with one key for its whole life: remember its public key (a scalar
  // multiplication, a third of a signature's cost) instead of recomputing it per signature.
  let lastPublicKey: { privateHex: string; publicHex: string } | undefined;

  function publicKeyHexOf(privateKey: Uint8Array): string {
    assertSm2PrivateKey(privateKey);
    const privateHex = hex(privateKey);
    if (lastPublicKey?.privateHex !== privateHex) {
      lastPublicKey = { privateHex, publicHex: sm2.getPublicKeyFromPrivateKey(privateHex) };
    }
    return lastPublicKey.publicHex;
  }

  return {
    sm3(data) {
      return createHash('sm3').update(data).digest();
    },

    hmacSm3(key, data) {
      return createHmac('sm3', key).update(data).digest();
    },

    sm4CbcEncrypt(key, iv, plaintext) {
      assertSm4KeyAndIv(key, iv);
      const cipher = createCipheriv('sm4-cbc', key, iv);
      return Buffer.concat([cipher.update(plaintext), cipher.final()]);
    },

    sm4CbcDecrypt(key, iv, ciphertext) {
      assertSm4KeyAndIv(key, iv);
      if (ciphertext.length === 0 || ciphertext.length % SM4_BLOCK_BYTES !== 0) {
        throw new PassgateError(
          'crypto.bad-ciphertext',
          'SM4-CBC ciphertext must be a non-empty multiple of 16 bytes',
          {
            length: ciphertext.length,
          },
        );
      }
      try {
        const decipher = createDecipheriv('sm4-cbc', key, iv);
        return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
      } catch (cause) {
        throw new PassgateError(
          'crypto.bad-ciphertext',
          'SM4-CBC padding is invalid (wrong key or corrupted data)',
          {
            length: ciphertext.length,
          },
          { cause },
        );
      }
    },

    sm2GenerateKeyPair(): Sm2KeyPair {
      const privateKey = randomScalar(1n, SM2_N - 2n);
      return { privateKey, publicKey: Buffer.from(sm2.getPublicKeyFromPrivateKey(privateKey.toString('hex')), 'hex') };
    },

    sm2PublicKeyOf(privateKey) {
      return Buffer.from(publicKeyHexOf(privateKey), 'hex');
    },

    sm2Sign(privateKey, message, userId = DEFAULT_SM2_USER_ID) {
      const publicKey = publicKeyHexOf(privateKey);
      assertSm2UserId(userId);
      const signature = sm2.doSignature(Array.from(message), hex(privateKey), {
        hash: true,
        der: true,
        publicKey,
        userId,
        pointPool: [nonceFromOs() as never],
      });
      return Buffer.from(signature, 'hex');
    },

    sm2Verify(publicKey, message, signature, userId = DEFAULT_SM2_USER_ID) {
      assertSm2PublicKey(publicKey);
      assertSm2UserId(userId);
      if (signature.length === 0) return false;
      try {
        return sm2.doVerifySignature(Array.from(message), hex(signature), hex(publicKey), {
          hash: true,
          der: true,
          userId,
        });
      } catch {
        // sm-crypto rejects most malformed DER by returning false; anything it throws on is
        // equally "not a valid signature".
        return false;
      }
    },

    sm2SignDigest(privateKey, digest) {
      const publicKey = publicKeyHexOf(privateKey);
      if (digest.length !== SM3_DIGEST_BYTES) {
        throw new PassgateError('crypto.bad-signature', 'an SM2 message digest is 32 bytes', { length: digest.length });
      }
      // hash: false: the digest already is SM3(Z || M), so sm-crypto signs e as given.
      const signature = sm2.doSignature(Array.from(digest), hex(privateKey), {
        hash: false,
        der: true,
        publicKey,
        pointPool: [nonceFromOs() as never],
      });
      return Buffer.from(signature, 'hex');
    },

    sm2VerifyDigest(publicKey, digest, signature) {
      assertSm2PublicKey(publicKey);
      if (signature.length === 0 || digest.length !== SM3_DIGEST_BYTES) return false;
      try {
        return sm2.doVerifySignature(Array.from(digest), hex(signature), hex(publicKey), { hash: false, der: true });
      } catch {
        return false;
      }
    },

    sm2Encrypt(publicKey, plaintext) {
      assertSm2PublicKey(publicKey);
      if (plaintext.length === 0) {
        // The KDF output t for klen = 0 is empty, hence "all zero", which GM/T 0003.4 7.1 step A5
        // rejects; refusing here also keeps decryption unambiguous.
        throw new PassgateError('crypto.bad-ciphertext', 'SM2 cannot encrypt an empty plaintext');
      }
      // sm-crypto writes C1 as X || Y without the 04 prefix; our wire format carries it.
      const body = sm2.doEncrypt(Array.from(plaintext), hex(publicKey), CIPHER_MODE_C1C3C2);
      return Buffer.concat([Buffer.from([0x04]), Buffer.from(body, 'hex')]);
    },

    sm2Decrypt(privateKey, ciphertext) {
      assertSm2PrivateKey(privateKey);
      const fail = (cause?: unknown): PassgateError =>
        new PassgateError(
          'crypto.bad-ciphertext',
          'SM2 ciphertext is invalid (wrong key, bad point or C3 mismatch)',
          {
            length: ciphertext.length,
          },
          { cause },
        );
      if (
        ciphertext.length <= SM2_CIPHERTEXT_OVERHEAD ||
        !isValidSm2Point(ciphertext.subarray(0, SM2_PUBLIC_KEY_BYTES))
      ) {
        throw fail();
      }
      let plain: unknown;
      try {
        plain = sm2.doDecrypt(hex(ciphertext.subarray(1)), hex(privateKey), CIPHER_MODE_C1C3C2, { output: 'array' });
      } catch (cause) {
        throw fail(cause);
      }
      // sm-crypto signals a C3 mismatch or a bad point with an empty result; a valid ciphertext
      // here always has a non-empty C2.
      if (!Array.isArray(plain) || plain.length !== ciphertext.length - SM2_CIPHERTEXT_OVERHEAD) throw fail();
      return Buffer.from(plain as number[]);
    },

    randomBytes(length) {
      return randomBytes(length);
    },

    equalMac(a, b) {
      return a.length === b.length && timingSafeEqual(a, b);
    },
  };
}
