// Raw SM2 key bytes as PEM, the form OpenSSL and most portal operators exchange keys in:
// PKCS#8 / SubjectPublicKeyInfo with id-ecPublicKey and the SM2 curve OID (GB/T 35276).
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
