// The one interface through which the runtime and the mock portal do cryptography.
// Swapping an implementation (a hardware SE, a vendor library) means one new file
// that implements CryptoSuite; nothing else changes.
//
// Byte conventions (all GM/T):
// - SM2 private key: 32 bytes. Public key: 65 bytes, uncompressed point 04 || X || Y.
// - SM2 signature: DER SEQUENCE { r INTEGER, s INTEGER }, message digest SM3(Z || M) with
//   Z computed over the signer's user ID (default "1234567812345678").
// - SM2 ciphertext: C1 || C3 || C2, C1 being the 65-byte uncompressed point (with 04).
// - SM4: CBC with PKCS#7 padding, 16-byte key and IV.

export const DEFAULT_SM2_USER_ID = '1234567812345678';

export interface Sm2KeyPair {
  privateKey: Buffer; // 32 bytes
  publicKey: Buffer; // 65 bytes, 04 || X || Y
}

export interface CryptoSuite {
  sm3(data: Uint8Array): Buffer;
  hmacSm3(key: Uint8Array, data: Uint8Array): Buffer;
  /** SM4-CBC, PKCS#7 padded. */
  sm4CbcEncrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array): Buffer;
  /** Throws PassgateError `crypto.bad-ciphertext` on wrong length or padding. */
  sm4CbcDecrypt(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Buffer;
  sm2GenerateKeyPair(): Sm2KeyPair;
  /** Public key of a private key (65 bytes). Throws `crypto.bad-key`. */
  sm2PublicKeyOf(privateKey: Uint8Array): Buffer;
  /** DER signature over the raw message bytes. Throws `crypto.bad-key` (private key outside [1, n-2]). */
  sm2Sign(privateKey: Uint8Array, message: Uint8Array, userId?: string): Buffer;
  /** False for any wrong or malformed signature; throws only `crypto.bad-key`. */
  sm2Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array, userId?: string): boolean;
  /**
   * The signature sm2Sign makes, over a message digest e = SM3(Z || M) the caller computed
   * (sm2-digest.ts): for messages too large to hold in memory at once, such as a release artifact.
   */
  sm2SignDigest(privateKey: Uint8Array, digest: Uint8Array): Buffer;
  /** sm2Verify over a digest e = SM3(Z || M); false for a wrong signature or a digest not 32 bytes. */
  sm2VerifyDigest(publicKey: Uint8Array, digest: Uint8Array, signature: Uint8Array): boolean;
  /**
   * C1 || C3 || C2 with a fresh ephemeral key. Throws `crypto.bad-key`; an empty plaintext throws
   * `crypto.bad-ciphertext` (GM/T 0003.4 rejects an all-zero KDF output, and an empty one is).
   */
  sm2Encrypt(publicKey: Uint8Array, plaintext: Uint8Array): Buffer;
  /** Throws `crypto.bad-ciphertext` when C3 does not match or the point is invalid. */
  sm2Decrypt(privateKey: Uint8Array, ciphertext: Uint8Array): Buffer;
  randomBytes(length: number): Buffer;
  /** Constant-time comparison of equal-length MACs; false for different lengths. */
  equalMac(a: Uint8Array, b: Uint8Array): boolean;
}
