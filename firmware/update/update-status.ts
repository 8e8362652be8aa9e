// `passgate update status`: both slots with their versions, which one is active, and the update
// waiting for a commit, if any.
import { treeVersion } from './app-tree.js';
import { type InstallLayout, SLOT_NAMES, type SlotName, slotDir } from './layout.js';
import { activeSlot } from './slots.js';
import { type PendingUpdate, readUpdateState } from './update-state.js';

export interface UpdateStatus {
  installRoot: string;
  active: SlotName | null;
  slots: Record<SlotName, { version: string | null }>;
  pending: Omit<PendingUpdate, 'databaseBackup'> | null;
}

export async function updateStatus(layout: InstallLayout): Promise<UpdateStatus> {
  const slots = {} as UpdateStatus['slots'];
  for (const slot of SLOT_NAMES) slots[slot] = { version: await treeVersion(slotDir(layout, slot)) };
  const { pending } = await readUpdateState(layout);
  return {
    installRoot: layout.root,
    active: await activeSlot(layout),
    slots,
    pending: pending && (({ databaseBackup: _, ...rest }) => rest)(pending),
  };
}
