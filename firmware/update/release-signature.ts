// Detached release signatures: SM2 by the vendor's release key over the artifact's bytes, DER,
// SM3 with Z over the default user ID 1234567812345678 — what `openssl pkeyutl -verify -rawin
// -digest sm3 -pkeyopt distid:1234567812345678` checks. The artifact is hashed as a stream (it
// holds a Node runtime: too large to read at once); the signature file sits beside it as X.sig.
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { sm2MessageHasher } from '../../portal-client/crypto/sm2-digest.js';
import type { CryptoSuite } from '../../portal-client/crypto/suite.js';
import { PassgateError } from '../core/errors.js';

/** A DER SEQUENCE of two 32-byte INTEGERs is at most 72 bytes; anything larger is not one. */
const MAX_SIGNATURE_BYTES = 80;

export function signaturePathOf(artifactPath: string): string {
  return `${artifactPath}.sig`;
}

/** e = SM3(Z || artifact bytes), Z over `publicKey` and the default user ID. */
export async function artifactDigest(path: string, publicKey: Uint8Array): Promise<Buffer> {
  const hasher = sm2MessageHasher(publicKey);
  for await (const chunk of createReadStream(path)) hasher.update(chunk as Buffer);
  return hasher.digest();
}

/** The detached signature of the file at `path`. Throws `crypto.bad-key`. */
export async function signArtifact(crypto: CryptoSuite, privateKey: Uint8Array, path: string): Promise<Buffer> {
  const digest = await artifactDigest(path, crypto.sm2PublicKeyOf(privateKey));
  return crypto.sm2SignDigest(privateKey, digest);
}

/**
 * Resolves when `signaturePath` holds `publicKey`'s signature over the file at `path`. Throws
 * `update.unsigned` when there is no signature file, `update.bad-signature` when it does not
 * verify (any changed byte of either file, or another key).
 */
export async function verifyArtifact(
  crypto: CryptoSuite,
  publicKey: Uint8Array,
  path: string,
  signaturePath = signaturePathOf(path),
): Promise<void> {
  let signature: Buffer;
  try {
    signature = await readFile(signaturePath);
  } catch (cause) {
    throw new PassgateError(
      'update.unsigned',
      `no signature file ${signaturePath}`,
      { reason: (cause as NodeJS.ErrnoException).code ?? 'unreadable' },
      { cause },
    );
  }
  const fits = signature.length > 0 && signature.length <= MAX_SIGNATURE_BYTES;
  if (!fits || !crypto.sm2VerifyDigest(publicKey, await artifactDigest(path, publicKey), signature)) {
    throw new PassgateError('update.bad-signature', `the signature ${signaturePath} does not verify`, {
      length: signature.length,
    });
  }
}
