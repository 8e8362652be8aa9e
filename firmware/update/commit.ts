// `passgate update commit`: the new version stays only once it runs, is ready and has authorized
// with the portal, within updateCommitMs. The daemon's control socket answers all three: its
// status names its version and whether it holds a valid portal token. Anything else by the
// deadline (a crash loop, no readiness, a failed authorize) rolls the update back.

import { PassgateError } from '../core/errors.js';
import { askDaemon } from '../daemon/control-socket.js';
import { removeDatabaseBackup } from './config-backup.js';
import { rollbackUpdate } from './rollback.js';
import { activeSlot } from './slots.js';
import type { UpdateDeps } from './update-deps.js';
import { type PendingUpdate, readUpdateState, writeUpdateState } from './update-state.js';

export type HealthProblem = 'not-running' | 'other-version' | 'not-ready' | 'not-authorized';

/** Why the daemon on `dataDir` is not the healthy `version` yet, or null when it is. */
export async function healthProblem(deps: UpdateDeps, version: string): Promise<HealthProblem | null> {
  const status = await askDaemon(deps.dataDir, { cmd: 'status' }, deps.timeouts.controlSocketMs);
  if (status === null) return 'not-running';
  if ('error' in status) return 'not-ready'; // starting or stopping
  if (status.version !== version) return 'other-version';
  const portal = status.portal as { tokenValid?: unknown } | undefined;
  return portal?.tokenValid === true ? null : 'not-authorized';
}

async function waitHealthy(deps: UpdateDeps, version: string): Promise<HealthProblem | null> {
  const deadline = Date.now() + deps.timeouts.updateCommitMs;
  for (;;) {
    const problem = await healthProblem(deps, version);
    if (problem === null || Date.now() >= deadline) return problem;
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(deps.timeouts.updateHealthPollMs, deadline - Date.now())),
    );
  }
}

/** Commits the pending update, or rolls it back and throws `update.rolled-back`. */
export async function commitUpdate(deps: UpdateDeps): Promise<PendingUpdate> {
  const { pending } = await readUpdateState(deps.layout);
  if (pending === null) throw new PassgateError('update.nothing-pending', 'no update is pending');
  const switched = (await activeSlot(deps.layout)) === pending.to;
  const problem = switched ? await waitHealthy(deps, pending.toVersion) : 'not-running';
  if (problem === null) {
    await writeUpdateState(deps.layout, { pending: null });
    await removeDatabaseBackup(pending.databaseBackup);
    deps.progress(`已确认 / committed: passgate ${pending.toVersion} (slot ${pending.to})`);
    return pending;
  }
  deps.progress(`新版本未就绪 / the new version is not healthy: ${problem}`);
  try {
    await rollbackUpdate(deps);
  } catch (error) {
    // passgate-rollback.service (the unit's OnFailure) may have rolled back meanwhile.
    if (!(error instanceof PassgateError && error.code === 'update.nothing-pending')) throw error;
  }
  throw new PassgateError('update.rolled-back', `passgate ${pending.toVersion} was rolled back (${problem})`, {
    problem,
    version: pending.toVersion,
  });
}
