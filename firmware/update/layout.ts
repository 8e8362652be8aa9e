// Where installed versions live: two app trees, slots/a and slots/b, under the install root, and
// `current`, a relative symlink to the active one, through which /usr/bin/passgate and the unit
// run. An update fills the inactive slot and moves the link; the other slot keeps the old version
// intact until the next update, so going back is one more move of the link.
import { isAbsolute, join } from 'node:path';
import { PassgateError } from '../core/errors.js';

export const DEFAULT_INSTALL_ROOT = '/opt/passgate';
export const SLOT_NAMES = ['a', 'b'] as const;
export type SlotName = (typeof SLOT_NAMES)[number];

export interface InstallLayout {
  root: string;
  slotsDir: string;
  /** The symlink to the active slot, `slots/a` or `slots/b`. */
  current: string;
  /** The pending update, if any (update-state.ts). */
  statePath: string;
}

export function installLayout(root: string): InstallLayout {
  return {
    root,
    slotsDir: join(root, 'slots'),
    current: join(root, 'current'),
    statePath: join(root, 'update-state.json'),
  };
}

/** $PASSGATE_INSTALL_ROOT (absolute), else /opt/passgate. Throws `config.invalid-value`. */
export function installLayoutFromEnv(env: NodeJS.ProcessEnv): InstallLayout {
  const root = env.PASSGATE_INSTALL_ROOT || DEFAULT_INSTALL_ROOT;
  if (!isAbsolute(root)) {
    throw new PassgateError('config.invalid-value', 'PASSGATE_INSTALL_ROOT must be an absolute path');
  }
  return installLayout(root);
}

export function slotDir(layout: InstallLayout, slot: SlotName): string {
  return join(layout.slotsDir, slot);
}

/** What `current` holds for a slot: relative, so the install root can move (a chroot, an image). */
export function slotLinkTarget(slot: SlotName): string {
  return `slots/${slot}`;
}

export function otherSlot(slot: SlotName): SlotName {
  return slot === 'a' ? 'b' : 'a';
}
