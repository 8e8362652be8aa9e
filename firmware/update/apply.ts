// `passgate update apply`: a signed artifact into the inactive slot, then the switch. Until
// `current` moves, nothing the running version uses has changed: the new tree is unpacked and
// checked under a temporary name, renamed into the inactive slot, the database is copied, the
// pending state written. A kill -9 or a power cut anywhere before the move leaves the old slot
// active and working; after it, the pending state lets commit or rollback finish the job.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PassgateError } from '../core/errors.js';
import { checkAppTreeFiles, debianArch, parseArtifactName, readManifest, treeVersion } from './app-tree.js';
import { backupDatabase } from './config-backup.js';
import { otherSlot, type SlotName, slotDir } from './layout.js';
import { signaturePathOf, verifyArtifact } from './release-signature.js';
import { rollbackUpdate } from './rollback.js';
import { activeSlot, switchCurrent } from './slots.js';
import type { UpdateDeps } from './update-deps.js';
import { readUpdateState, writeUpdateState } from './update-state.js';
import { compareVersions } from './version-order.js';

export interface AppliedUpdate {
  from: SlotName;
  fromVersion: string;
  to: SlotName;
  toVersion: string;
}

const STAGING_PREFIX = '.incoming-';

function run(program: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(program, args, { timeout: timeoutMs, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } }, (e, out) =>
      e ? reject(e) : resolve(out),
    );
  });
}

function installFailed(message: string, cause: unknown): PassgateError {
  const reason = (cause as NodeJS.ErrnoException).code ?? 'error';
  return new PassgateError('update.install-failed', `${message} (${reason})`, { reason }, { cause });
}

function refuseDowngrade(version: string, active: string): void {
  if (compareVersions(version, active) <= 0) {
    throw new PassgateError('update.downgrade', `${version} is not newer than the active ${active}`, {
      version,
      active,
    });
  }
}

/** The active slot and its version; the install must have one (the package puts it in slot a). */
async function activeInstall(deps: UpdateDeps): Promise<{ slot: SlotName; version: string }> {
  const slot = await activeSlot(deps.layout);
  const version = slot === null ? null : await treeVersion(slotDir(deps.layout, slot));
  if (slot === null || version === null) {
    throw new PassgateError('update.install-failed', `${deps.layout.current} does not point at an installed slot`);
  }
  return { slot, version };
}

/** Unpacks, checks and runs (`--version`) the tree; returns its version. Throws `update.bad-artifact`. */
async function unpack(deps: UpdateDeps, archive: string, dir: string, expected: { version: string; arch: string }) {
  await mkdir(dir, { mode: 0o755 });
  try {
    await run('tar', ['-xf', archive, '-C', dir, '--no-same-owner'], deps.timeouts.updateExtractMs);
  } catch (cause) {
    throw new PassgateError('update.bad-artifact', 'the artifact is not a readable tar archive', {}, { cause });
  }
  const manifest = await readManifest(dir);
  await checkAppTreeFiles(dir);
  if (manifest.version !== expected.version || manifest.arch !== expected.arch) {
    throw new PassgateError('update.bad-artifact', "manifest.json does not match the artifact's name", {
      version: manifest.version,
      arch: manifest.arch,
    });
  }
  let printed = '';
  try {
    printed = await run(
      join(dir, 'bin/node'),
      [join(dir, 'lib/passgate.mjs'), '--version'],
      deps.timeouts.updateSmokeTestMs,
    );
  } catch (cause) {
    throw new PassgateError('update.bad-artifact', 'the new version does not start (--version failed)', {}, { cause });
  }
  if (printed.trim() !== `passgate ${manifest.version}`) {
    throw new PassgateError('update.bad-artifact', 'the new version reports another version than its manifest');
  }
  // Every unpacked file on disk before anything refers to it.
  await run('sync', ['-f', dir], deps.timeouts.updateExtractMs);
}

export async function applyUpdate(
  deps: UpdateDeps,
  artifact: string,
  releaseKey: Uint8Array,
  o: { restart: boolean },
): Promise<AppliedUpdate> {
  const { layout } = deps;
  const reached = deps.reached ?? (async () => undefined);
  const name = parseArtifactName(artifact);
  if (name.arch !== debianArch()) {
    throw new PassgateError('update.bad-artifact', `the artifact is for ${name.arch}, this device is ${debianArch()}`);
  }
  if ((await readUpdateState(layout)).pending !== null) {
    throw new PassgateError(
      'update.install-failed',
      'an update is already pending: run `passgate update commit` or `passgate update rollback` first',
    );
  }
  const active = await activeInstall(deps);
  refuseDowngrade(name.version, active.version);
  const target = otherSlot(active.slot);
  const staging = join(layout.slotsDir, `${STAGING_PREFIX}${randomBytes(6).toString('hex')}`);
  const archive = `${staging}${name.compressed ? '.tar.gz' : '.tar'}`;
  try {
    // Leftovers of an apply that was killed are the only entries with this prefix.
    for (const entry of await readdir(layout.slotsDir)) {
      if (entry.startsWith(STAGING_PREFIX)) await rm(join(layout.slotsDir, entry), { recursive: true, force: true });
    }
    // The copy is what gets verified and unpacked: the original could change in between.
    await copyFile(artifact, archive).catch((cause) => {
      throw installFailed(`cannot copy ${artifact}`, cause);
    });
    await verifyArtifact(deps.crypto, releaseKey, archive, signaturePathOf(artifact));
    deps.progress(`签名有效 / signature verified: passgate ${name.version}`);
    await reached('verified');
    await unpack(deps, archive, staging, name);
    refuseDowngrade(name.version, active.version);
    await reached('extracted');
    const outgoing = `${staging}.old`;
    const slot = slotDir(layout, target);
    await rename(slot, outgoing).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw installFailed(`cannot move ${slot} aside`, e);
    });
    await rename(staging, slot).catch((cause) => {
      throw installFailed(`cannot install into ${slot}`, cause);
    });
    await rm(outgoing, { recursive: true, force: true });
    await reached('slot-installed');
    const databaseBackup = await backupDatabase(deps.dataDir).catch((cause) => {
      throw installFailed('cannot back up the config database', cause);
    });
    await reached('database-backed-up');
    const pending = {
      from: active.slot,
      fromVersion: active.version,
      to: target,
      toVersion: name.version,
      databaseBackup,
      appliedAt: new Date().toISOString(),
    };
    await writeUpdateState(layout, { pending });
    await reached('state-written');
    await switchCurrent(layout, target);
    deps.progress(`已切换 / switched: slot ${active.slot} (${active.version}) → slot ${target} (${name.version})`);
    await reached('switched');
  } finally {
    await rm(archive, { force: true });
    await rm(staging, { recursive: true, force: true });
  }
  if (o.restart) {
    try {
      await deps.service.run('restart');
    } catch (error) {
      // The new version could not even be started: the old one goes back at once.
      await rollbackUpdate(deps);
      throw error;
    }
    await reached('restarted');
  }
  return { from: active.slot, fromVersion: active.version, to: target, toVersion: name.version };
}
