// The digest an SM2 signature signs, e = SM3(Z || M), computed as a stream: Z binds the signer's
// user ID and public key to the curve (GM/T 0003.2, 5.5), M is fed in pieces. For messages too
// large to hold at once (a release artifact); sm2SignDigest / sm2VerifyDigest take the result.
import { createHash, type Hash } from 'node:crypto';
import { assertSm2PublicKey, assertSm2UserId, SM2_A, SM2_B, SM2_GX, SM2_GY } from './sm2-curve.js';
import { DEFAULT_SM2_USER_ID } from './suite.js';

function fieldBytes(value: bigint): Buffer {
  return Buffer.from(value.toString(16).padStart(64, '0'), 'hex');
}

/** Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA). Throws `crypto.bad-key`. */
export function sm2UserHash(publicKey: Uint8Array, userId = DEFAULT_SM2_USER_ID): Buffer {
  assertSm2PublicKey(publicKey);
  assertSm2UserId(userId);
  const id = Buffer.from(userId, 'utf8');
  const entl = Buffer.alloc(2);
  entl.writeUInt16BE(id.length * 8);
  return createHash('sm3')
    .update(Buffer.concat([entl, id, fieldBytes(SM2_A), fieldBytes(SM2_B), fieldBytes(SM2_GX), fieldBytes(SM2_GY)]))
    .update(publicKey.subarray(1))
    .digest();
}

/** An SM3 hash already fed with Z: update it with the message, then digest() is e. */
export function sm2MessageHasher(publicKey: Uint8Array, userId = DEFAULT_SM2_USER_ID): Hash {
  return createHash('sm3').update(sm2UserHash(publicKey, userId));
}
