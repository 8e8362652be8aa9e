// One update command at a time per install root: `apply`, `commit` and `rollback` (the CLI, the
// Mender module, passgate-rollback.service) each hold <install root>/update.lock while they read
// and change the slots, the `current` link and the state file; interleaved, a rollback could move
// `current` back while an apply half-installs, or two applies fill one slot. The lock is the
// daemon's kind (firmware/daemon/instance-lock.ts: SQLite's exclusive transaction, a POSIX record
// lock): the kernel drops it when its holder ends however it ends, so a kill -9 never leaves a
// stale lock and no pid needs checking. A second command waits up to updateLockWaitMs, then
// stops with `update.busy`, having changed nothing.
import { join } from 'node:path';
import { PassgateError } from '../core/errors.js';
import { type InstanceLock, tryExclusiveFileLock } from '../daemon/instance-lock.js';
import type { InstallLayout } from './layout.js';

export const UPDATE_LOCK_FILE = 'update.lock';

export function updateLockPath(layout: InstallLayout): string {
  return join(layout.root, UPDATE_LOCK_FILE);
}

export async function takeUpdateLock(
  layout: InstallLayout,
  o: { waitMs: number; pollMs: number },
): Promise<InstanceLock> {
  const path = updateLockPath(layout);
  const deadline = Date.now() + o.waitMs;
  for (;;) {
    let lock: InstanceLock | null;
    try {
      lock = tryExclusiveFileLock(path);
    } catch (cause) {
      const reason = (cause as { code?: unknown }).code;
      throw new PassgateError(
        'update.install-failed',
        `cannot use the update lock ${path} (${typeof reason === 'string' ? reason : 'error'})`,
        { path },
        { cause },
      );
    }
    if (lock !== null) return lock;
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new PassgateError('update.busy', `another update command holds ${path}`, { path });
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(o.pollMs, left)));
  }
}
