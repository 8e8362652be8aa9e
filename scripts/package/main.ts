// `npm run package`: from one app tree (app-tree.ts), the three release outputs in dist/:
//   passgate_<version>_<arch>.deb      the Debian package (deb.ts), for device images
//   passgate_<version>_<arch>.tar      the update artifact `passgate update apply` installs
//                                      (update-artifact.ts), and ….tar.sig when signed
//   passgate_<version>_<arch>.mender   the Mender module-image carrying the .tar and its .sig
//                                      (mender-artifact.ts); only when signed: a device refuses
//                                      an unsigned update, so shipping one would only fail there
// Options: --sign-key FILE (or $PASSGATE_RELEASE_KEY): the vendor's release key (`passgate
// release keygen`); --device-types "A B" (or $MENDER_DEVICE_TYPES, spaces or commas): the Mender
// device types, default `passgate-<arch>` (e.g. passgate-arm64); --out DIR instead of dist/;
// --xz: the smaller, slower-to-build .deb (deb.ts, DebCompression). Scratch work in
// <out>/.package/, removed at the end.
import { mkdirSync, rmSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { signaturePathOf } from '../../firmware/update/release-signature.js';
import { createGmCryptoSuite } from '../../portal-client/crypto/gm-suite.js';
import { type AppManifest, buildAppTree, REPO_ROOT } from './app-tree.js';
import { buildDeb } from './deb.js';
import { deviceTypesFrom, menderArtifactPath, writeMenderArtifact } from './mender-artifact.js';
import { signUpdateArtifact, updateArtifactPath, writeUpdateArtifact } from './update-artifact.js';

const USAGE = 'usage: npm run package [-- --sign-key FILE] [--device-types "A B"] [--out DIR] [--xz]';

interface PackageOptions {
  outDir: string;
  signKey: string | undefined;
  deviceTypes: string[] | undefined;
  xz: boolean;
}

function parseArgs(args: readonly string[], env: NodeJS.ProcessEnv): PackageOptions | null {
  const o: PackageOptions = {
    outDir: join(REPO_ROOT, 'dist'),
    signKey: env.PASSGATE_RELEASE_KEY || undefined,
    deviceTypes: env.MENDER_DEVICE_TYPES ? deviceTypesFrom(env.MENDER_DEVICE_TYPES) : undefined,
    xz: false,
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--xz') {
      o.xz = true;
      continue;
    }
    const value = args[i + 1];
    if (value === undefined || value.startsWith('--')) return null;
    i++;
    if (arg === '--sign-key') o.signKey = value;
    else if (arg === '--device-types') o.deviceTypes = deviceTypesFrom(value);
    else if (arg === '--out') o.outDir = isAbsolute(value) ? value : resolve(value);
    else return null;
  }
  return o;
}

export interface PackageOutput {
  stdout(line: string): void;
  stderr(line: string): void;
}

const PROCESS_OUTPUT: PackageOutput = {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
};

export async function main(
  args: readonly string[] = [],
  env: NodeJS.ProcessEnv = process.env,
  out: PackageOutput = PROCESS_OUTPUT,
): Promise<number> {
  const o = parseArgs(args, env);
  if (o === null || (o.deviceTypes !== undefined && o.deviceTypes.length === 0)) {
    out.stderr(USAGE);
    return 2;
  }
  const scratch = join(o.outDir, '.package');
  rmSync(scratch, { recursive: true, force: true });
  try {
    const tree = join(scratch, 'app');
    const manifest = await buildAppTree(tree);
    out.stdout(buildDeb(tree, manifest, o.outDir, join(scratch, 'deb'), o.xz ? 'xz' : 'zstd'));
    await writeUpdateOutputs(tree, manifest, o, out);
    return 0;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * The update artifact of the tree in `tree` and, given a release key, its signature and the
 * .mender; each path printed. Without a key: the .tar alone, and a line saying why no more.
 */
export async function writeUpdateOutputs(
  tree: string,
  manifest: AppManifest,
  o: Pick<PackageOptions, 'outDir' | 'signKey' | 'deviceTypes'>,
  out: PackageOutput,
): Promise<void> {
  mkdirSync(o.outDir, { recursive: true });
  const tar = writeUpdateArtifact(tree, updateArtifactPath(o.outDir, manifest));
  // What an earlier build left would not match this .tar.
  for (const stale of [signaturePathOf(tar), menderArtifactPath(tar)]) rmSync(stale, { force: true });
  out.stdout(tar);
  if (o.signKey === undefined) {
    out.stderr(
      '未签名 / unsigned: no .tar.sig and no .mender written (devices refuse unsigned updates); ' +
        'sign with `npm run package -- --sign-key vendor.key` or PASSGATE_RELEASE_KEY=vendor.key',
    );
    return;
  }
  out.stdout(await signUpdateArtifact(createGmCryptoSuite(), o.signKey, tar));
  const deviceTypes = o.deviceTypes ?? [defaultDeviceType(manifest)];
  out.stdout(await writeMenderArtifact({ updateArtifact: tar, deviceTypes }));
}

/** The Mender device type when none is given: `passgate-<arch>`, e.g. passgate-arm64. */
export function defaultDeviceType(manifest: Pick<AppManifest, 'arch'>): string {
  return `passgate-${manifest.arch}`;
}
