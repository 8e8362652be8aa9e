// Signing a digest computed as a stream is signing the message: the same e = SM3(Z || M).
import { describe, expect, it } from 'vitest';
import { createGmCryptoSuite } from '../../../portal-client/crypto/gm-suite.js';
import { sm2MessageHasher } from '../../../portal-client/crypto/sm2-digest.js';
import { sm2PublicKeyFromPem, sm2PublicKeyToPem } from '../../../portal-client/crypto/sm2-pem.js';

const suite = createGmCryptoSuite();

describe('SM2 over a streamed digest', () => {
  const pair = suite.sm2GenerateKeyPair();
  const message = Buffer.from('a release artifact, fed in three pieces');
  const digest = sm2MessageHasher(pair.publicKey)
    .update(message.subarray(0, 5))
    .update(message.subarray(5, 20))
    .update(message.subarray(20))
    .digest();

  it('makes signatures that sm2Verify accepts over the whole message, and the other way round', () => {
    expect(suite.sm2Verify(pair.publicKey, message, suite.sm2SignDigest(pair.privateKey, digest))).toBe(true);
    expect(suite.sm2VerifyDigest(pair.publicKey, digest, suite.sm2Sign(pair.privateKey, message))).toBe(true);
  });

  it('refuses another digest, another key, and a digest of the wrong length', () => {
    const signature = suite.sm2SignDigest(pair.privateKey, digest);
    const other = Buffer.from(digest);
    other[31] ^= 1;
    expect(suite.sm2VerifyDigest(pair.publicKey, other, signature)).toBe(false);
    expect(suite.sm2VerifyDigest(suite.sm2GenerateKeyPair().publicKey, digest, signature)).toBe(false);
    expect(suite.sm2VerifyDigest(pair.publicKey, digest.subarray(1), signature)).toBe(false);
    expect(() => suite.sm2SignDigest(pair.privateKey, digest.subarray(1))).toThrow(/32 bytes/);
  });

  it('reads back the public key PEM it writes, and nothing else', () => {
    const pem = sm2PublicKeyToPem(pair.publicKey);
    expect(sm2PublicKeyFromPem(pem).equals(pair.publicKey)).toBe(true);
    expect(() => sm2PublicKeyFromPem(pem.replace('PUBLIC KEY', 'PRIVATE KEY'))).toThrow(/SubjectPublicKeyInfo/);
    const body = pem.split('\n')[1];
    const flipped = `${body.slice(0, 10)}${body[10] === 'A' ? 'B' : 'A'}${body.slice(11)}`;
    expect(() => sm2PublicKeyFromPem(pem.replace(body, flipped))).toThrow();
    expect(() => sm2PublicKeyFromPem('')).toThrow();
  });
});
