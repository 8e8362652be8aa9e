// Reading and moving the `current` link. The move is atomic: a new link under a temporary name,
// renamed over `current` (rename(2) replaces a symlink in one step), then the directory flushed,
// so a power cut leaves `current` at the old slot or the new one, never missing.
import { randomBytes } from 'node:crypto';
import { readlink, rename, symlink, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDirectory } from '../core/atomic-file.js';
import { type InstallLayout, SLOT_NAMES, type SlotName, slotLinkTarget } from './layout.js';

/** The slot `current` points at, or null when there is no link (or it points elsewhere). */
export async function activeSlot(layout: InstallLayout): Promise<SlotName | null> {
  let target: string;
  try {
    target = await readlink(layout.current);
  } catch {
    return null;
  }
  const normalized = target.replace(/\/+$/, '').replace(/^\.\//, '');
  return (
    SLOT_NAMES.find((slot) => normalized === slotLinkTarget(slot) || normalized === join(layout.slotsDir, slot)) ?? null
  );
}

export async function switchCurrent(layout: InstallLayout, slot: SlotName): Promise<void> {
  const temporary = join(layout.root, `.current.${randomBytes(6).toString('hex')}.tmp`);
  await symlink(slotLinkTarget(slot), temporary);
  try {
    await rename(temporary, layout.current);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await syncDirectory(layout.root);
}
