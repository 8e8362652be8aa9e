// One update command at a time per install root: a second apply, commit or rollback waits for the
// update lock and, when it stays taken, stops with exit 39 (update.busy) having changed nothing; a
// holder killed with SIGKILL leaves no stale lock behind.
import { readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../../firmware/cli/exit-codes.js';
import { ConfigStore } from '../../../firmware/config/store.js';
import { isPassgateError } from '../../../firmware/core/errors.js';
import { tryExclusiveFileLock } from '../../../firmware/daemon/instance-lock.js';
import { installLayout } from '../../../firmware/update/layout.js';
import { readReleasePublicKey } from '../../../firmware/update/release-key.js';
import { takeUpdateLock, updateLockPath } from '../../../firmware/update/update-lock.js';
import { buildBundle, makeAppTree, makeArtifact, makeInstallRoot } from '../../support/app-tree.js';
import {
  allText,
  CHILD_START_MS,
  CHILD_TEST_MS,
  type CliResult,
  expectBilingual,
  runMain,
  spawnBin,
  tempRoot,
} from '../../support/cli.js';

let shared: ReturnType<typeof tempRoot>;
let bundle: string;
let artifacts: Record<string, string>;
let tmp: ReturnType<typeof tempRoot>;
let root: string;
let dataDir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  shared = tempRoot('pg-lock-shared-');
  bundle = buildBundle(join(shared.root, 'bundle'));
  await runMain(['release', 'keygen', '--out', join(shared.root, 'vendor')]);
  artifacts = {};
  for (const version of ['1.1.0', '1.2.0']) {
    const tree = makeAppTree(join(shared.root, `tree-${version}`), bundle, { version });
    artifacts[version] = makeArtifact(tree, shared.root, { version });
    await runMain(['release', 'sign', '--key', join(shared.root, 'vendor.key'), artifacts[version]]);
  }
}, CHILD_TEST_MS);
afterAll(() => shared.remove());

beforeEach(async () => {
  tmp = tempRoot('pg-lock-');
  root = makeInstallRoot(join(tmp.root, 'opt'), bundle, '1.0.0');
  dataDir = join(tmp.root, 'data');
  const store = ConfigStore.open(dataDir);
  store.set('vendor.releasePublicKey', (await readReleasePublicKey(join(shared.root, 'vendor.pem'))).toString('hex'));
  // A second apply or commit gives up at once instead of after 10 s (rollback keeps the default).
  store.set('timeouts', { updateLockWaitMs: 0 });
  store.close();
  env = { PASSGATE_INSTALL_ROOT: root, PASSGATE_SERVICE_CTL: '/bin/true' };
});
afterEach(() => tmp.remove());

function update(...args: string[]): Promise<CliResult> {
  return runMain(['update', ...args, '--data-dir', dataDir], env);
}

/** `update apply --no-restart` in a child process, stopped after `step` with the lock held. */
async function pausedApply(version: string, step: string) {
  const child = spawnBin('passgate', ['update', 'apply', '--no-restart', artifacts[version], '--data-dir', dataDir], {
    env: { ...process.env, ...env, PASSGATE_UPDATE_PAUSE_AT: step },
  });
  await child.until((out) => out.includes(`paused at ${step}`), `the pause at ${step}`, CHILD_START_MS);
  return child;
}

describe('the update lock', () => {
  it('is held by one taker at a time; a waiting one gets it once the holder lets go', async () => {
    const layout = installLayout(root);
    const first = await takeUpdateLock(layout, { waitMs: 0, pollMs: 10 });
    const refused = await takeUpdateLock(layout, { waitMs: 0, pollMs: 10 }).catch((e: unknown) => e);
    expect(isPassgateError(refused, 'update.busy')).toBe(true);
    const waiting = takeUpdateLock(layout, { waitMs: CHILD_START_MS, pollMs: 10 });
    first.release();
    (await waiting).release();
  });

  it(
    'a second apply and a commit during an apply exit 39, bilingual, and change nothing',
    async () => {
      const holder = await pausedApply('1.1.0', 'extracted');
      try {
        const second = await update('apply', '--no-restart', artifacts['1.2.0']);
        expect(second.code, allText(second)).toBe(EXIT.updateBusy);
        expect(expectBilingual(second).en).toContain('another update command');
        const commit = await update('commit');
        expect(commit.code, allText(commit)).toBe(EXIT.updateBusy);
        // Reading is not locked.
        const status = await update('status', '--json');
        expect(status.code).toBe(EXIT.ok);
        expect(JSON.parse(status.stdout[0])).toMatchObject({ active: 'a', pending: null });
      } finally {
        holder.child.kill('SIGKILL');
        await holder.exited;
      }
      // The kernel dropped the killed holder's lock: the next apply goes through.
      const again = await update('apply', '--no-restart', artifacts['1.2.0']);
      expect(again.code, allText(again)).toBe(EXIT.ok);
      expect(readlinkSync(join(root, 'current'))).toBe('slots/b');
    },
    CHILD_TEST_MS,
  );

  it(
    'a rollback (the rollback unit) waits for an apply holding the lock, then rolls it back',
    async () => {
      const holder = await pausedApply('1.1.0', 'switched');
      expect(readlinkSync(join(root, 'current'))).toBe('slots/b');
      const probe = tryExclusiveFileLock(updateLockPath(installLayout(root)));
      expect(probe).toBeNull(); // taken by the paused apply
      const rollback = update('rollback', '--if-pending');
      holder.child.kill('SIGKILL');
      await holder.exited;
      const r = await rollback;
      expect(r.code, allText(r)).toBe(EXIT.ok);
      expect(readlinkSync(join(root, 'current'))).toBe('slots/a');
      const status = await update('status', '--json');
      expect(JSON.parse(status.stdout[0])).toMatchObject({ active: 'a', pending: null });
    },
    CHILD_TEST_MS,
  );
});
