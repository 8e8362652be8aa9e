// dist/passgate_<version>_<arch>.mender: a Mender module-image artifact for the `passgate`
// Update Module (firmware/mender/passgate), its payload the signed update artifact and its
// detached signature, so a device checks both Mender's artifact and the vendor's signature.
// The device types it installs on are the vendor's to name (MENDER_DEVICE_TYPES or the option).
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseArtifactName } from '../../firmware/update/app-tree.js';
import { signaturePathOf } from '../../firmware/update/release-signature.js';

export const MENDER_MODULE = 'passgate';

export interface MenderArtifactOptions {
  /** The signed update artifact, passgate_<version>_<arch>.tar[.gz]; its .sig must be beside it. */
  updateArtifact: string;
  /** Mender device types (`device_type=` on the devices) the artifact installs on; at least one. */
  deviceTypes: readonly string[];
  /** Default: beside the update artifact, passgate_<version>_<arch>.mender. */
  outPath?: string;
  /** The mender-artifact program; default from PATH. */
  menderArtifact?: string;
  timeoutMs?: number;
}

/** `MENDER_DEVICE_TYPES="a b"` (spaces or commas) as a list. */
export function deviceTypesFrom(text: string | undefined): string[] {
  return (text ?? '').split(/[\s,]+/).filter((t) => t.length > 0);
}

/** Writes the .mender artifact; resolves with its path. */
export async function writeMenderArtifact(o: MenderArtifactOptions): Promise<string> {
  const { version, arch } = parseArtifactName(o.updateArtifact);
  if (o.deviceTypes.length === 0) throw new Error('a Mender artifact needs at least one device type');
  const signature = signaturePathOf(o.updateArtifact);
  await access(signature); // an unsigned artifact would only be refused on the device
  const outPath = o.outPath ?? join(dirname(o.updateArtifact), `passgate_${version}_${arch}.mender`);
  const args = [
    ...['write', 'module-image', '--type', MENDER_MODULE, '--artifact-name', `passgate-${version}`],
    ...o.deviceTypes.flatMap((type) => ['--device-type', type]),
    ...['--software-name', MENDER_MODULE, '--software-version', version],
    ...['--file', o.updateArtifact, '--file', signature, '--output-path', outPath],
  ];
  await new Promise<void>((resolve, reject) => {
    execFile(o.menderArtifact ?? 'mender-artifact', args, { timeout: o.timeoutMs ?? 300_000 }, (error, _out, err) =>
      error ? reject(new Error(`mender-artifact failed for ${basename(o.updateArtifact)}: ${err.trim()}`)) : resolve(),
    );
  });
  return outPath;
}
