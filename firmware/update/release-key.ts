// The vendor's release key pair, made on the vendor's build machine: PREFIX.key (the private key
// in the device key format, 64 hex digits, mode 0600, never printed) and PREFIX.pem (the public
// key as SubjectPublicKeyInfo PEM, which OpenSSL reads and `provision --vendor-release-key` takes).
import { constants } from 'node:fs';
import { access, open, readFile } from 'node:fs/promises';
import { writePrivateKeyFile } from '../../portal-client/crypto/key-file.js';
import { sm2PublicKeyFromPem, sm2PublicKeyToPem } from '../../portal-client/crypto/sm2-pem.js';
import type { CryptoSuite } from '../../portal-client/crypto/suite.js';
import { PassgateError } from '../core/errors.js';

export interface ReleaseKeyFiles {
  keyPath: string;
  pemPath: string;
}

export function releaseKeyFiles(prefix: string): ReleaseKeyFiles {
  return { keyPath: `${prefix}.key`, pemPath: `${prefix}.pem` };
}

async function exists(path: string): Promise<boolean> {
  return access(path, constants.F_OK).then(
    () => true,
    () => false,
  );
}

/** Writes a new pair; refuses (`update.release-key-exists`) to replace either file unless `force`. */
export async function generateReleaseKey(crypto: CryptoSuite, prefix: string, force = false): Promise<ReleaseKeyFiles> {
  const files = releaseKeyFiles(prefix);
  for (const path of [files.keyPath, files.pemPath]) {
    if (!force && (await exists(path))) {
      throw new PassgateError('update.release-key-exists', `${path} exists: a release key is never overwritten`, {
        path,
      });
    }
  }
  const pair = crypto.sm2GenerateKeyPair();
  try {
    await writePrivateKeyFile(files.keyPath, pair.privateKey);
  } finally {
    pair.privateKey.fill(0);
  }
  const pem = await open(files.pemPath, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o644);
  try {
    await pem.writeFile(sm2PublicKeyToPem(pair.publicKey));
    await pem.sync();
  } finally {
    await pem.close();
  }
  return files;
}

/** The 65-byte public key of a release key PEM file. Throws `crypto.bad-key`, or the read error. */
export async function readReleasePublicKey(pemPath: string): Promise<Buffer> {
  return sm2PublicKeyFromPem(await readFile(pemPath, 'utf8'));
}
