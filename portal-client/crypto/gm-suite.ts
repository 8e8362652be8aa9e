// CryptoSuite on sm-crypto-v2 (SM2 point arithmetic, itself on @noble/curves) and Node's built-in
// OpenSSL (SM3, SM4, HMAC-SM3). SM4 and HMAC are on the per-scan path, so they stay in native
// code; SM2 runs at authorize/bind time and when the portal sends an SM2-wrapped key. Of SM2, the
// library does the scalar multiplications; the digest e = SM3(Z || M) is computed natively
// (sm2-digest.ts), signatures are DER-coded here (sm2-signature.ts), and every key, point and
// signature is checked before it reaches the library (sm2-curve.ts).
//
// Randomness: a signature's nonce k and a generated private key are drawn here from the OS
// generator (node:crypto randomBytes, rejection-sampled into range) and handed to the library,
// never left to it. An encryption's ephemeral key is the library's own, as doEncrypt takes none:
// sm-crypto-v2 draws it with @noble/curves' randomPrivateKey (48 bytes reduced into [1, n-1], bias
// below 2^-128) from the randomBytes it configures its curve with, which is
// globalThis.crypto.getRandomValues, Node's CSPRNG (always present on Node >= 20). The library's
// other source, a pool for runtimes without that global, is also filled from node:crypto.
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
// The package's ES module build (its "module" entry): the same code as its CommonJS main, which
// Node would otherwise load, in ~25 ms less CPU and a few MB less memory.
import { sm2 } from 'sm-crypto-v2/dist/index.mjs';
import { PassgateError } from '../../firmware/core/errors.js';
import {
  assertSm2PrivateKey,
  assertSm2PublicKey,
  bytesToBigInt,
  isValidSm2Point,
  SM2_N,
  SM2_PUBLIC_KEY_BYTES,
} from './sm2-curve.js';
import { sm2MessageHasher } from './sm2-digest.js';
import { decodeSm2Signature, encodeSm2Signature } from './sm2-signature.js';
import { type CryptoSuite, DEFAULT_SM2_USER_ID, type Sm2KeyPair } from './suite.js';

const SM4_BLOCK_BYTES = 16;
const SM3_DIGEST_BYTES = 32;
/** C1 (65) || C3 (32): the ciphertext of an empty message, which GM/T 0003.4 cannot produce. */
const SM2_CIPHERTEXT_OVERHEAD = SM2_PUBLIC_KEY_BYTES + SM3_DIGEST_BYTES;
const CIPHER_MODE_C1C3C2 = 1;
/** A scalar as the library's hex arguments take it: 64 digits. */
const SCALAR_HEX_DIGITS = 64;

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function scalarHex(value: bigint): string {
  return value.toString(16).padStart(SCALAR_HEX_DIGITS, '0');
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

function assertSm2Digest(digest: Uint8Array): void {
  if (digest.length !== SM3_DIGEST_BYTES) {
    throw new PassgateError('crypto.bad-signature', 'an SM2 message digest is 32 bytes', { length: digest.length });
  }
}

/**
 * A signature nonce k from the OS generator and the x coordinate of kG, as doSignature's
 * pointPool takes them. The library would draw its own (from a CSPRNG as well); drawing it here
 * keeps the nonce's quality independent of the library, at the same cost (one kG either way).
 */
function nonceFromOs(): { k: bigint; x1: bigint } {
  const k = randomScalar(1n, SM2_N - 1n);
  const kG = sm2.getPublicKeyFromPrivateKey(k.toString('hex'));
  return { k: bytesToBigInt(k), x1: BigInt('0x' + kG.slice(2, 2 + SCALAR_HEX_DIGITS)) };
}

/** True when the DER signature is valid for digest e under the (already checked) public key. */
function verifyDigest(publicKey: Uint8Array, digest: Uint8Array, signature: Uint8Array): boolean {
  const values = decodeSm2Signature(signature);
  if (!values) return false;
  try {
    return sm2.doVerifySignature(Uint8Array.from(digest), scalarHex(values.r) + scalarHex(values.s), hex(publicKey), {
      hash: false,
      der: false,
    });
  } catch {
    // r and s are in range and the key is on the curve, so nothing should throw; if the library
    // does, that is still "not a valid signature".
    return false;
  }
}

export function createGmCryptoSuite(): CryptoSuite {
  // A device signs with one key for its whole life: remember its public key (a scalar
  // multiplication, as much as a signature's nonce costs) instead of recomputing it per signature.
  let lastPublicKey: { privateHex: string; publicKey: Buffer } | undefined;

  function publicKeyOf(privateKey: Uint8Array): Buffer {
    assertSm2PrivateKey(privateKey);
    const privateHex = hex(privateKey);
    if (lastPublicKey?.privateHex !== privateHex) {
      lastPublicKey = { privateHex, publicKey: Buffer.from(sm2.getPublicKeyFromPrivateKey(privateHex), 'hex') };
    }
    return lastPublicKey.publicKey;
  }

  /** sm2SignDigest's work, for a private key already checked. */
  function signDigest(privateKey: Uint8Array, digest: Uint8Array): Buffer {
    // hash: false: the digest already is e = SM3(Z || M); der: false gives r || s, encoded here.
    const rs = sm2.doSignature(Uint8Array.from(digest), hex(privateKey), {
      hash: false,
      der: false,
      pointPool: [nonceFromOs()],
    });
    return encodeSm2Signature({
      r: BigInt('0x' + rs.slice(0, SCALAR_HEX_DIGITS)),
      s: BigInt('0x' + rs.slice(SCALAR_HEX_DIGITS)),
    });
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
      return Buffer.from(publicKeyOf(privateKey));
    },

    sm2Sign(privateKey, message, userId = DEFAULT_SM2_USER_ID) {
      // sm2MessageHasher checks the user ID (crypto.bad-key); publicKeyOf checks the private key.
      const digest = sm2MessageHasher(publicKeyOf(privateKey), userId).update(message).digest();
      return signDigest(privateKey, digest);
    },

    sm2Verify(publicKey, message, signature, userId = DEFAULT_SM2_USER_ID) {
      const digest = sm2MessageHasher(publicKey, userId).update(message).digest(); // checks key and ID
      return verifyDigest(publicKey, digest, signature);
    },

    sm2SignDigest(privateKey, digest) {
      publicKeyOf(privateKey); // checks the private key (crypto.bad-key) before the digest, as before
      assertSm2Digest(digest);
      return signDigest(privateKey, digest);
    },

    sm2VerifyDigest(publicKey, digest, signature) {
      assertSm2PublicKey(publicKey);
      if (digest.length !== SM3_DIGEST_BYTES) return false;
      return verifyDigest(publicKey, digest, signature);
    },

    sm2Encrypt(publicKey, plaintext) {
      assertSm2PublicKey(publicKey);
      if (plaintext.length === 0) {
        // The KDF output t for klen = 0 is empty, hence "all zero", which GM/T 0003.4 7.1 step A5
        // rejects; refusing here also keeps decryption unambiguous.
        throw new PassgateError('crypto.bad-ciphertext', 'SM2 cannot encrypt an empty plaintext');
      }
      // The library writes C1 as X || Y without the 04 prefix; our wire format carries it.
      const body = sm2.doEncrypt(Uint8Array.from(plaintext), hex(publicKey), CIPHER_MODE_C1C3C2);
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
      // C1 must be 04 || X || Y on the curve before the library multiplies it by our private key
      // (an off-curve point would leak key bits through an invalid-curve attack).
      if (
        ciphertext.length <= SM2_CIPHERTEXT_OVERHEAD ||
        !isValidSm2Point(ciphertext.subarray(0, SM2_PUBLIC_KEY_BYTES))
      ) {
        throw fail();
      }
      let plain: Uint8Array;
      try {
        plain = sm2.doDecrypt(hex(ciphertext.subarray(1)), hex(privateKey), CIPHER_MODE_C1C3C2, { output: 'array' });
      } catch (cause) {
        throw fail(cause);
      }
      // The library signals a C3 mismatch with an empty result; a valid ciphertext here always
      // has a non-empty C2 of exactly the remaining length.
      if (plain.length !== ciphertext.length - SM2_CIPHERTEXT_OVERHEAD) throw fail();
      return Buffer.from(plain);
    },

    randomBytes(length) {
      return randomBytes(length);
    },

    equalMac(a, b) {
      return a.length === b.length && timingSafeEqual(a, b);
    },
  };
}
