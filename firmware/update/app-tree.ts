// What an installed version is: an app tree holding bin/node (the runtime it was tested with),
// lib/passgate.mjs (the bundle), node_modules/ (production dependencies) and manifest.json
// {"name":"passgate","version","arch"}. An update artifact is passgate_<version>_<arch>.tar or
// .tar.gz of one, with a detached signature beside it.
import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { PassgateError } from '../core/errors.js';
import { isReleaseVersion } from './version-order.js';

export interface AppManifest {
  name: 'passgate';
  version: string;
  arch: string;
}

export interface ArtifactName {
  version: string;
  arch: string;
  compressed: boolean;
}

const ARTIFACT_NAME = /^passgate_([0-9A-Za-z.-]{1,64})_([a-z0-9]{1,16})\.tar(\.gz)?$/;

/** Node's process.arch as Debian names it, the name packages and artifacts carry. */
export function debianArch(nodeArch: string = process.arch): string {
  const names: Record<string, string> = {
    x64: 'amd64',
    arm64: 'arm64',
    arm: 'armhf',
    ia32: 'i386',
    riscv64: 'riscv64',
  };
  return names[nodeArch] ?? nodeArch;
}

function badArtifact(message: string, details: Record<string, string> = {}): PassgateError {
  return new PassgateError('update.bad-artifact', message, details);
}

/** The version and architecture an artifact's file name claims. Throws `update.bad-artifact`. */
export function parseArtifactName(path: string): ArtifactName {
  const match = ARTIFACT_NAME.exec(basename(path));
  if (!match || !isReleaseVersion(match[1])) {
    throw badArtifact('the artifact name must be passgate_<version>_<arch>.tar or .tar.gz');
  }
  return { version: match[1], arch: match[2], compressed: match[3] !== undefined };
}

/** The manifest of the app tree in `dir`, checked. Throws `update.bad-artifact`. */
export async function readManifest(dir: string): Promise<AppManifest> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
  } catch {
    throw badArtifact('the app tree has no readable manifest.json');
  }
  const m = parsed as Partial<AppManifest> | null;
  if (
    m === null ||
    typeof m !== 'object' ||
    m.name !== 'passgate' ||
    typeof m.version !== 'string' ||
    !isReleaseVersion(m.version) ||
    typeof m.arch !== 'string' ||
    !/^[a-z0-9]{1,16}$/.test(m.arch)
  ) {
    throw badArtifact('manifest.json must be {"name":"passgate","version":"X.Y.Z","arch":"…"}');
  }
  return { name: 'passgate', version: m.version, arch: m.arch };
}

/** The files a tree must hold to run. Throws `update.bad-artifact` naming the first one missing. */
export async function checkAppTreeFiles(dir: string): Promise<void> {
  const needed: Array<[string, number]> = [
    ['bin/node', constants.X_OK],
    ['lib/passgate.mjs', constants.R_OK],
    ['node_modules', constants.R_OK],
  ];
  for (const [file, mode] of needed) {
    try {
      await access(join(dir, file), mode);
    } catch {
      throw badArtifact(`the app tree lacks ${file}`, { file });
    }
  }
}

/** The version of the tree in `dir`, or null when it holds none (an empty or broken slot). */
export async function treeVersion(dir: string): Promise<string | null> {
  try {
    return (await readManifest(dir)).version;
  } catch {
    return null;
  }
}
