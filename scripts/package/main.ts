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
import { rmSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { createGmCryptoSuite } from '../../portal-client/crypto/gm-suite.js';
import { buildAppTree, REPO_ROOT } from './app-tree.js';
import { buildDeb } from './deb.js';
import { deviceTypesFrom, writeMenderArtifact } from './mender-artifact.js';
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

export async function main(args: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const o = parseArgs(args, env);
  if (o === null || (o.deviceTypes !== undefined && o.deviceTypes.length === 0)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const scratch = join(o.outDir, '.package');
  rmSync(scratch, { recursive: true, force: true });
  try {
    const tree = join(scratch, 'app');
    const manifest = await buildAppTree(tree);
    const deb = buildDeb(tree, manifest, o.outDir, join(scratch, 'deb'), o.xz ? 'xz' : 'zstd');
    process.stdout.write(`${deb}\n`);
    const tar = writeUpdateArtifact(tree, updateArtifactPath(o.outDir, manifest));
    rmSync(`${tar}.sig`, { force: true }); // a signature of an earlier build would not verify
    process.stdout.write(`${tar}\n`);
    if (o.signKey === undefined) {
      process.stderr.write(
        'unsigned: no .tar.sig and no .mender (devices refuse unsigned updates); ' +
          'sign with --sign-key FILE or PASSGATE_RELEASE_KEY=FILE\n',
      );
      return 0;
    }
    process.stdout.write(`${await signUpdateArtifact(createGmCryptoSuite(), o.signKey, tar)}\n`);
    const deviceTypes = o.deviceTypes ?? [`passgate-${manifest.arch}`];
    process.stdout.write(`${await writeMenderArtifact({ updateArtifact: tar, deviceTypes })}\n`);
    return 0;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
