// dist/passgate_<version>_<arch>.tar: the update artifact `passgate update apply` installs, a tar
// of the app tree (app-tree.ts) with the tree's files at its top (bin/, lib/, node_modules/,
// manifest.json), and, signed with the vendor's release key, its detached signature beside it
// (….tar.sig, what `passgate release sign` writes and OpenSSL verifies).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { writeFileAtomic } from '../../firmware/core/atomic-file.js';
import type { AppManifest } from '../../firmware/update/app-tree.js';
import { signArtifact, signaturePathOf } from '../../firmware/update/release-signature.js';
import { readPrivateKeyFile } from '../../portal-client/crypto/key-file.js';
import type { CryptoSuite } from '../../portal-client/crypto/suite.js';

/** Taring a 100 MB tree takes seconds; a bound for liveness only. */
const TAR_MS = 300_000;

/** The name `update apply` parses (firmware/update/app-tree.ts): the version as package.json has it. */
export function updateArtifactFileName(manifest: Pick<AppManifest, 'version' | 'arch'>): string {
  return `passgate_${manifest.version}_${manifest.arch}.tar`;
}

/** Writes the tar of the tree in `treeDir` to `path`; owner root, entries in name order. */
export function writeUpdateArtifact(treeDir: string, path: string): string {
  execFileSync('tar', ['-cf', path, '--sort=name', '--owner=0', '--group=0', '--numeric-owner', '-C', treeDir, '.'], {
    timeout: TAR_MS,
  });
  return path;
}

/** Signs `path` with the release key in `keyPath` (release-key.ts format); returns the .sig path. */
export async function signUpdateArtifact(crypto: CryptoSuite, keyPath: string, path: string): Promise<string> {
  const privateKey = await readPrivateKeyFile(keyPath);
  try {
    const signature = await signArtifact(crypto, privateKey, path);
    await writeFileAtomic(signaturePathOf(path), signature, 0o644);
  } finally {
    privateKey.fill(0);
  }
  return signaturePathOf(path);
}

export function updateArtifactPath(outDir: string, manifest: AppManifest): string {
  return join(outDir, updateArtifactFileName(manifest));
}
