// `passgate update apply|commit|rollback|status`: A/B updates of the installed app trees
// (firmware/update). Run as root, beside the service: apply installs into the inactive slot and
// restarts the service, commit keeps the new version once it is healthy, rollback goes back.
// Rollback never opens the config database: after a failed update it may hold a schema newer
// than the code running the rollback knows.
import type { CryptoSuite } from '../../portal-client/crypto/suite.js';
import { ConfigStore } from '../config/store.js';
import { type ErrorCode, isPassgateError, PassgateError } from '../core/errors.js';
import { type TimeoutTable, timeoutTable } from '../core/timeouts.js';
import { timeoutsFromConfig } from '../daemon/device-identity.js';
import { applyUpdate } from '../update/apply.js';
import { commitUpdate } from '../update/commit.js';
import { installLayoutFromEnv } from '../update/layout.js';
import { rollbackUpdate } from '../update/rollback.js';
import { serviceControlFromEnv } from '../update/service-control.js';
import { APPLY_STEPS, type ApplyStep, type UpdateDeps } from '../update/update-deps.js';
import { takeUpdateLock } from '../update/update-lock.js';
import { updateStatus } from '../update/update-status.js';
import { problem, readCommandArgs, usageError } from './args.js';
import { EXIT } from './exit-codes.js';
import { reportFailure } from './failures.js';
import type { CommandOutput } from './io.js';
import { UPDATE_USAGE } from './usages.js';

/** The options of update (the README's command table is checked against these). */
export const SPEC = { flags: ['json', 'no-restart', 'if-pending'] };

/**
 * The release key and timeouts from the config; the store is closed again at once. Commit is run
 * by the version that applied the update (passgate-update-finish), which may not know the schema
 * the new version migrated to: it then waits with the default timeouts.
 */
function readConfig(dataDir: string, action: string): { releaseKey: string; timeouts: TimeoutTable } {
  let store: ConfigStore;
  try {
    store = ConfigStore.open(dataDir);
  } catch (error) {
    if (action === 'commit') return { releaseKey: '', timeouts: timeoutTable() };
    throw error;
  }
  try {
    return { releaseKey: store.get('vendor.releasePublicKey'), timeouts: timeoutsFromConfig(store) };
  } finally {
    store.close();
  }
}

/**
 * A test hook: with PASSGATE_UPDATE_PAUSE_AT=STEP, apply prints `paused at STEP` once the step is
 * done and waits there until it is killed, so a test can kill -9 it at a known point.
 */
function pauseHook(env: NodeJS.ProcessEnv, out: CommandOutput): UpdateDeps['reached'] {
  const step = env.PASSGATE_UPDATE_PAUSE_AT;
  if (!step || !APPLY_STEPS.includes(step as ApplyStep)) return undefined;
  return async (reached) => {
    if (reached !== step) return;
    out.stdout(`paused at ${step}`);
    await new Promise(() => setInterval(() => undefined, 60_000));
  };
}

export async function runUpdateCommand(
  dataDir: string,
  args: readonly string[],
  crypto: CryptoSuite,
  out: CommandOutput,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const read = readCommandArgs(args, SPEC, UPDATE_USAGE, out);
  if (read.exit !== undefined) return read.exit;
  const { positional, flags } = read.args;
  const [action, ...files] = positional;
  const expected: Record<string, number> = { apply: 1, commit: 0, rollback: 0, status: 0 };
  if (action === undefined || !Object.hasOwn(expected, action) || files.length !== expected[action]) {
    return usageError(
      out,
      UPDATE_USAGE,
      problem('usage.missing-argument', '子命令或参数有误', 'wrong or missing action or file'),
    );
  }
  try {
    const layout = installLayoutFromEnv(env);
    if (action === 'status') {
      const status = await updateStatus(layout);
      if (flags.has('json')) out.stdout(JSON.stringify(status));
      else printStatus(out, status);
      return EXIT.ok;
    }
    const config = action === 'rollback' ? { releaseKey: '', timeouts: timeoutTable() } : readConfig(dataDir, action);
    const lock = await takeUpdateLock(layout, {
      waitMs: config.timeouts.updateLockWaitMs,
      pollMs: config.timeouts.updateLockPollMs,
    });
    const deps: UpdateDeps = {
      layout,
      dataDir,
      crypto,
      service: serviceControlFromEnv(env, config.timeouts.updateServiceMs),
      timeouts: config.timeouts,
      progress: (line) => out.stdout(line),
      reached: pauseHook(env, out),
    };
    try {
      return await runLocked(deps, action, files[0], flags, config.releaseKey, out);
    } finally {
      lock.release();
    }
  } catch (error) {
    if (isPassgateError(error)) return reportFailure(out, error.code as ErrorCode, error.message);
    throw error;
  }
}

/** apply (of `artifact`), commit or rollback, under the install root's update lock. */
async function runLocked(
  deps: UpdateDeps,
  action: string,
  artifact: string,
  flags: ReadonlySet<string>,
  releaseKey: string,
  out: CommandOutput,
): Promise<number> {
  if (action === 'apply') {
    if (!releaseKey) throw new PassgateError('update.no-release-key', 'no vendor release key provisioned');
    const applied = await applyUpdate(deps, artifact, Buffer.from(releaseKey, 'hex'), {
      restart: !flags.has('no-restart'),
    });
    out.stdout(`已安装 / installed: passgate ${applied.toVersion}; 请运行 / now run: passgate update commit`);
    return EXIT.ok;
  }
  if (action === 'commit') {
    await commitUpdate(deps);
    return EXIT.ok;
  }
  try {
    await rollbackUpdate(deps);
  } catch (error) {
    if (flags.has('if-pending') && isPassgateError(error, 'update.nothing-pending')) return EXIT.ok;
    throw error;
  }
  return EXIT.ok;
}

function printStatus(out: CommandOutput, status: Awaited<ReturnType<typeof updateStatus>>): void {
  out.stdout(`安装目录 / install root:  ${status.installRoot}`);
  for (const [slot, { version }] of Object.entries(status.slots)) {
    const mark = status.active === slot ? ' (当前 / active)' : '';
    out.stdout(`槽 / slot ${slot}:             ${version ?? '(空 / empty)'}${mark}`);
  }
  const p = status.pending;
  out.stdout(
    `待确认 / pending:        ${p ? `${p.fromVersion} → ${p.toVersion} (slot ${p.from} → ${p.to}, ${p.appliedAt})` : '无 / none'}`,
  );
}
