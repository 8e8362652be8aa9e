// The update waiting for a commit or a rollback, in <install root>/update-state.json, replaced
// atomically. It is written before `current` moves and cleared only after the last step of a
// commit or rollback, so whatever step a power cut interrupts, the next commit or rollback
// (passgate-rollback.service runs `update rollback --if-pending`) finds what to finish.
import { readFile } from 'node:fs/promises';
import { syncDirectory, writeFileAtomic } from '../core/atomic-file.js';
import { PassgateError } from '../core/errors.js';
import { type InstallLayout, SLOT_NAMES, type SlotName } from './layout.js';
import { isReleaseVersion } from './version-order.js';

export interface PendingUpdate {
  /** The slot that ran before, kept intact for a rollback. */
  from: SlotName;
  fromVersion: string;
  to: SlotName;
  toVersion: string;
  /** The config database as it was before the new version could migrate it; null: there was none. */
  databaseBackup: string | null;
  appliedAt: string;
}

export interface UpdateState {
  pending: PendingUpdate | null;
}

function isPending(value: unknown): value is PendingUpdate {
  const p = value as Partial<PendingUpdate> | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    SLOT_NAMES.includes(p.from as SlotName) &&
    SLOT_NAMES.includes(p.to as SlotName) &&
    p.from !== p.to &&
    typeof p.fromVersion === 'string' &&
    isReleaseVersion(p.fromVersion) &&
    typeof p.toVersion === 'string' &&
    isReleaseVersion(p.toVersion) &&
    (p.databaseBackup === null || typeof p.databaseBackup === 'string') &&
    typeof p.appliedAt === 'string'
  );
}

/** No file: nothing pending. A file that does not parse is refused, not guessed at. */
export async function readUpdateState(layout: InstallLayout): Promise<UpdateState> {
  let text: string;
  try {
    text = await readFile(layout.statePath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { pending: null };
    throw new PassgateError('update.install-failed', `cannot read ${layout.statePath}`, {}, { cause: error });
  }
  let parsed: { pending?: unknown };
  try {
    parsed = JSON.parse(text) as { pending?: unknown };
  } catch {
    parsed = { pending: undefined };
  }
  if (parsed.pending !== null && !isPending(parsed.pending)) {
    throw new PassgateError('update.install-failed', `${layout.statePath} is not an update state file`);
  }
  return { pending: parsed.pending };
}

export async function writeUpdateState(layout: InstallLayout, state: UpdateState): Promise<void> {
  await writeFileAtomic(layout.statePath, `${JSON.stringify(state, null, 2)}\n`, 0o644);
  await syncDirectory(layout.root);
}
