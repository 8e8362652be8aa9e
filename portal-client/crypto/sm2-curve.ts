// SM2 curve parameters (GM/T 0003.5 recommended curve) and the key checks done before any
// bytes reach a library. Pure BigInt arithmetic: cheap field checks only, no scalar multiplication.
import { PassgateError } from '../../firmware/core/errors.js';

export const SM2_P = BigInt('0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF');
export const SM2_A = SM2_P - 3n;
export const SM2_B = BigInt('0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93');
export const SM2_N = BigInt('0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123');
export const SM2_GX = BigInt('0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7');
export const SM2_GY = BigInt('0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0');

export const SM2_PRIVATE_KEY_BYTES = 32;
export const SM2_PUBLIC_KEY_BYTES = 65;
/** Z hashes ENTL, a 16-bit count of the user ID's bits, so the ID is at most 8191 bytes. */
export const SM2_MAX_USER_ID_BYTES = 8191;

export function bytesToBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0
    ? 0n
    : BigInt('0x' + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex'));
}

/**
 * A private key d must lie in [1, n-2]: signing divides by (1 + d) mod n, which has no inverse
 * for d = n-1 (GM/T 0003.1 6.1 restricts d the same way).
 */
export function isValidSm2PrivateKey(key: Uint8Array): boolean {
  if (key.length !== SM2_PRIVATE_KEY_BYTES) return false;
  const d = bytesToBigInt(key);
  return d >= 1n && d <= SM2_N - 2n;
}

/**
 * True when the bytes are 04 || X || Y with X, Y < p and the point on the curve. The cofactor
 * is 1, so any affine point on the curve is in the prime-order group (and never the identity).
 */
export function isValidSm2Point(bytes: Uint8Array): boolean {
  if (bytes.length !== SM2_PUBLIC_KEY_BYTES || bytes[0] !== 0x04) return false;
  const x = bytesToBigInt(bytes.subarray(1, 33));
  const y = bytesToBigInt(bytes.subarray(33, 65));
  if (x >= SM2_P || y >= SM2_P) return false;
  const lhs = (y * y) % SM2_P;
  const rhs = (((x * x) % SM2_P) * x + SM2_A * x + SM2_B) % SM2_P;
  return lhs === rhs;
}

export function assertSm2PrivateKey(key: Uint8Array): void {
  if (!isValidSm2PrivateKey(key)) {
    throw new PassgateError('crypto.bad-key', 'SM2 private key must be 32 bytes in [1, n-2]', {
      length: key.length,
    });
  }
}

export function assertSm2PublicKey(key: Uint8Array): void {
  if (!isValidSm2Point(key)) {
    throw new PassgateError('crypto.bad-key', 'SM2 public key must be 65 bytes 04 || X || Y, a point on the curve', {
      length: key.length,
    });
  }
}

export function assertSm2UserId(userId: string): void {
  const length = Buffer.byteLength(userId, 'utf8');
  if (length > SM2_MAX_USER_ID_BYTES) {
    throw new PassgateError('crypto.bad-key', `SM2 user ID must be at most ${SM2_MAX_USER_ID_BYTES} bytes`, { length });
  }
}
