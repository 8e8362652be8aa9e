// kill -9 at each step of `passgate update apply`: the apply runs as a child process told (test
// hook PASSGATE_UPDATE_PAUSE_AT) to stop after one step, and is killed there. Before the switch
// the old slot must still be active and run; after it, the pending state lets a rollback bring it
// back. Either way `update status` answers, `rollback --if-pending` (what passgate-rollback.service
// runs at boot) leaves the old version, and the next apply succeeds.
import { execFileSync } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../../firmware/cli/exit-codes.js';
import { ConfigStore } from '../../../firmware/config/store.js';
import { readReleasePublicKey } from '../../../firmware/update/release-key.js';
import { APPLY_STEPS } from '../../../firmware/update/update-deps.js';
import { buildBundle, makeAppTree, makeArtifact, makeInstallRoot } from '../../support/app-tree.js';
import {
  allText,
  CHILD_START_MS,
  CHILD_TEST_MS,
  type CliResult,
  runMain,
  spawnBin,
  tempRoot,
} from '../../support/cli.js';

let shared: ReturnType<typeof tempRoot>;
let bundle: string;
let artifact: string;
let tmp: ReturnType<typeof tempRoot>;
let root: string;
let dataDir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  shared = tempRoot('pg-kill-shared-');
  bundle = buildBundle(join(shared.root, 'bundle'));
  await runMain(['release', 'keygen', '--out', join(shared.root, 'vendor')]);
  const tree = makeAppTree(join(shared.root, 'tree'), bundle, { version: '1.1.0' });
  artifact = makeArtifact(tree, shared.root, { version: '1.1.0' });
  await runMain(['release', 'sign', '--key', join(shared.root, 'vendor.key'), artifact]);
}, CHILD_TEST_MS);
afterAll(() => shared.remove());

beforeEach(async () => {
  tmp = tempRoot('pg-kill-');
  root = makeInstallRoot(join(tmp.root, 'opt'), bundle, '1.0.0');
  dataDir = join(tmp.root, 'data');
  const store = ConfigStore.open(dataDir);
  store.set('vendor.releasePublicKey', (await readReleasePublicKey(join(shared.root, 'vendor.pem'))).toString('hex'));
  store.close();
  // No daemon here: stop and start succeed and do nothing.
  env = { PASSGATE_INSTALL_ROOT: root, PASSGATE_SERVICE_CTL: '/bin/true' };
});
afterEach(() => tmp.remove());

function update(...args: string[]): Promise<CliResult> {
  return runMain(['update', ...args, '--data-dir', dataDir], env);
}

/** What `current` runs: its own bin/node on its own bundle. */
function currentVersion(): string {
  return execFileSync(join(root, 'current/bin/node'), [join(root, 'current/lib/passgate.mjs'), '--version'], {
    timeout: CHILD_START_MS,
  })
    .toString()
    .trim();
}

async function statusJson(): Promise<{ active: string; pending: { toVersion: string } | null }> {
  const r = await update('status', '--json');
  expect(r.code, allText(r)).toBe(EXIT.ok);
  return JSON.parse(r.stdout[0]);
}

const STEPS = APPLY_STEPS.filter((step) => step !== 'restarted'); // apply --no-restart stops at switched

describe('update apply killed with SIGKILL', () => {
  it.each(STEPS)(
    'after %s: the old version stays or comes back, and the next apply works',
    async (step) => {
      const child = spawnBin('passgate', ['update', 'apply', '--no-restart', artifact, '--data-dir', dataDir], {
        env: { ...process.env, ...env, PASSGATE_UPDATE_PAUSE_AT: step },
      });
      await child.until((out) => out.includes(`paused at ${step}`), `the pause at ${step}`, CHILD_START_MS);
      child.child.kill('SIGKILL');
      expect((await child.exited).signal).toBe('SIGKILL');

      const switched = STEPS.indexOf(step) >= STEPS.indexOf('switched');
      const recorded = STEPS.indexOf(step) >= STEPS.indexOf('state-written');
      expect(readlinkSync(join(root, 'current'))).toBe(switched ? 'slots/b' : 'slots/a');
      expect(currentVersion()).toBe(switched ? 'passgate 1.1.0' : 'passgate 1.0.0');
      const status = await statusJson();
      expect(status.active).toBe(switched ? 'b' : 'a');
      expect(status.pending?.toVersion ?? null).toBe(recorded ? '1.1.0' : null);

      // What the rollback unit does at boot; harmless when nothing is pending.
      const rollback = await update('rollback', '--if-pending');
      expect(rollback.code, allText(rollback)).toBe(EXIT.ok);
      expect(readlinkSync(join(root, 'current'))).toBe('slots/a');
      expect(currentVersion()).toBe('passgate 1.0.0');
      expect((await statusJson()).pending).toBeNull();
      expect((await runMain(['config', 'list', '--data-dir', dataDir])).code).toBe(EXIT.ok);

      const again = await update('apply', '--no-restart', artifact);
      expect(again.code, allText(again)).toBe(EXIT.ok);
      expect(currentVersion()).toBe('passgate 1.1.0');
      expect(readdirSync(join(root, 'slots')).sort()).toEqual(['a', 'b']);
    },
    CHILD_TEST_MS,
  );
});
