// `passgate update rollback`: the old slot back. The service is stopped, the database backup put
// back (a schema the new version migrated to must never meet the old code), `current` moved,
// and only then the pending state cleared; each step can be done twice, so a rollback that a
// power cut interrupted is finished by the next one (passgate-rollback.service at boot).
import { access } from 'node:fs/promises';
import { PassgateError } from '../core/errors.js';
import { removeDatabaseBackup, restoreDatabase } from './config-backup.js';
import { switchCurrent } from './slots.js';
import type { UpdateDeps } from './update-deps.js';
import type { PendingUpdate } from './update-state.js';
import { readUpdateState, writeUpdateState } from './update-state.js';

function failed(step: string, cause: unknown): PassgateError {
  const reason = (cause as NodeJS.ErrnoException).code ?? 'error';
  return new PassgateError(
    'update.install-failed',
    `rollback: ${step} failed (${reason})`,
    { step, reason },
    { cause },
  );
}

/** Rolls the pending update back; returns it. Throws `update.nothing-pending`, `update.install-failed`. */
export async function rollbackUpdate(deps: UpdateDeps): Promise<PendingUpdate> {
  const { pending } = await readUpdateState(deps.layout);
  if (pending === null) throw new PassgateError('update.nothing-pending', 'no update is pending');
  await deps.service.run('stop');
  const backup = pending.databaseBackup;
  if (backup !== null) {
    const present = await access(backup).then(
      () => true,
      () => false,
    );
    // The backup is removed only after the state is cleared, so a pending state has its backup;
    // without it the old version could meet a newer schema: stop rather than guess.
    if (!present) throw failed('the database backup is missing', { code: 'ENOENT' });
    await restoreDatabase(deps.dataDir, backup).catch((cause) => {
      throw failed('restoring the database', cause);
    });
  }
  await switchCurrent(deps.layout, pending.from).catch((cause) => {
    throw failed('moving current back', cause);
  });
  await writeUpdateState(deps.layout, { pending: null }).catch((cause) => {
    throw failed('clearing the pending state', cause);
  });
  await removeDatabaseBackup(backup);
  deps.progress(`已回滚 / rolled back: slot ${pending.from} (${pending.fromVersion}) 已恢复 / is active again`);
  await deps.service.run('start');
  return pending;
}
