// Raw SM2 key bytes as PEM, the form OpenSSL and most portal operators exchange keys in:
// PKCS#8 / SubjectPublicKeyInfo with id-ecPublicKey and the SM2 curve OID (GB/T 35276).

import { PassgateError } from '../../firmware/core/errors.js';
import { derBitString, derExplicit, derOctetString, derOid, derSequence, derUnsignedInteger, toPem } from './der.js';
import { assertSm2PrivateKey, assertSm2PublicKey } from './sm2-curve.js';

const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
const OID_SM2_CURVE = '1.2.156.10197.1.301';

function sm2AlgorithmIdentifier(): Buffer {
  return derSequence(derOid(OID_EC_PUBLIC_KEY), derOid(OID_SM2_CURVE));
}

/** SubjectPublicKeyInfo DER of a 65-byte public key. Throws `crypto.bad-key`. */
export function sm2PublicKeyToSpkiDer(publicKey: Uint8Array): Buffer {
  assertSm2PublicKey(publicKey);
  return derSequence(sm2AlgorithmIdentifier(), derBitString(publicKey));
}

export function sm2PublicKeyToPem(publicKey: Uint8Array): string {
  return toPem('PUBLIC KEY', sm2PublicKeyToSpkiDer(publicKey));
}

/**
 * PKCS#8 PEM of a private key, with the public key inside the ECPrivateKey (RFC 5915) as OpenSSL
 * writes it. Throws `crypto.bad-key`. The result holds the secret: never log it.
 */
export function sm2PrivateKeyToPem(privateKey: Uint8Array, publicKey: Uint8Array): string {
  assertSm2PrivateKey(privateKey);
  assertSm2PublicKey(publicKey);
  const ecPrivateKey = derSequence(
    derUnsignedInteger(1n),
    derOctetString(privateKey),
    derExplicit(1, derBitString(publicKey)),
  );
  return toPem(
    'PRIVATE KEY',
    derSequence(derUnsignedInteger(0n), sm2AlgorithmIdentifier(), derOctetString(ecPrivateKey)),
  );
}

/**
 * The 65-byte public key of a SubjectPublicKeyInfo PEM, as OpenSSL writes it for an SM2 key.
 * Strict: the DER must be exactly what sm2PublicKeyToSpkiDer writes for that key (the SM2 curve,
 * an uncompressed point on it), so nothing else passes for one. Throws `crypto.bad-key`.
 */
export function sm2PublicKeyFromPem(pem: string): Buffer {
  const match = /^-----BEGIN PUBLIC KEY-----\r?\n([A-Za-z0-9+/=\r\n]+?)\r?\n?-----END PUBLIC KEY-----\s*$/.exec(
    pem.trim(),
  );
  const der = match ? Buffer.from(match[1].replace(/\s+/g, ''), 'base64') : Buffer.alloc(0);
  const publicKey = der.subarray(der.length - 65);
  let expected: Buffer | undefined;
  try {
    expected = der.length > 65 ? sm2PublicKeyToSpkiDer(publicKey) : undefined;
  } catch {
    expected = undefined;
  }
  if (!expected?.equals(der)) {
    throw new PassgateError('crypto.bad-key', 'not an SM2 public key in SubjectPublicKeyInfo PEM', {
      length: der.length,
    });
  }
  return Buffer.from(publicKey);
}
