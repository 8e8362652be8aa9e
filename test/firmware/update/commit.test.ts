// An update from start to end with the real daemon: each version runs from its slot (the bundle,
// its own bin/node) under a supervisor script standing in for systemd, provisioned against the
// mock portal. Commit keeps a version that becomes ready and authorized; a version that
// crash-loops is rolled back by the same commit, and the old one runs again.
import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../../firmware/cli/exit-codes.js';
import { ConfigStore } from '../../../firmware/config/store.js';
import { askDaemon } from '../../../firmware/daemon/control-socket.js';
import { readReleasePublicKey } from '../../../firmware/update/release-key.js';
import { type PortalFixture, startPortalFixture } from '../../../scripts/lab/portal-fixture.js';
import { buildBundle, makeAppTree, makeArtifact, makeInstallRoot, makeServiceScript } from '../../support/app-tree.js';
import {
  allText,
  CHILD_START_MS,
  CHILD_TEST_MS,
  type CliResult,
  expectBilingual,
  provisionGateDir,
  runMain,
  tempRoot,
} from '../../support/cli.js';
import { EVENT_WAIT_MS } from '../../support/polling.js';

let shared: ReturnType<typeof tempRoot>;
let bundle: string;
let fixture: PortalFixture;
let tmp: ReturnType<typeof tempRoot>;
let root: string;
let dataDir: string;
let service: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  shared = tempRoot('pg-commit-shared-');
  bundle = buildBundle(join(shared.root, 'bundle'));
  await runMain(['release', 'keygen', '--out', join(shared.root, 'vendor')]);
  fixture = await startPortalFixture();
}, CHILD_TEST_MS);
afterAll(async () => {
  await fixture.close();
  shared.remove();
});

beforeEach(async () => {
  tmp = tempRoot('pg-commit-');
  root = makeInstallRoot(join(tmp.root, 'opt'), bundle, '1.0.0');
  dataDir = join(tmp.root, 'data');
  const releaseKey = (await readReleasePublicKey(join(shared.root, 'vendor.pem'))).toString('hex');
  await provisionGateDir(fixture.mock, dataDir, {
    settings: { 'vendor.releasePublicKey': releaseKey, timeouts: { controlSocketMs: EVENT_WAIT_MS } },
  });
  service = makeServiceScript(tmp.root, root, dataDir);
  env = { PASSGATE_INSTALL_ROOT: root, PASSGATE_SERVICE_CTL: service };
  execFileSync(service, ['start', 'passgate']);
}, CHILD_TEST_MS);
afterEach(() => {
  execFileSync(service, ['stop', 'passgate']);
  tmp.remove();
});

function update(...args: string[]): Promise<CliResult> {
  return runMain(['update', ...args, '--data-dir', dataDir], env);
}

async function signedArtifact(version: string, crashOnRun = false): Promise<string> {
  const tree = makeAppTree(join(tmp.root, `tree-${version}`), bundle, { version, crashOnRun });
  const artifact = makeArtifact(tree, tmp.root, { version });
  expect((await runMain(['release', 'sign', '--key', join(shared.root, 'vendor.key'), artifact])).code).toBe(EXIT.ok);
  return artifact;
}

/** Resolves once the daemon on dataDir runs `version` with a valid portal token. */
async function daemonHealthy(version: string): Promise<void> {
  const deadline = Date.now() + CHILD_START_MS;
  for (;;) {
    const status = await askDaemon(dataDir, { cmd: 'status' }, EVENT_WAIT_MS);
    const portal = status?.portal as { tokenValid?: boolean } | undefined;
    if (status?.version === version && portal?.tokenValid === true) return;
    if (Date.now() > deadline) {
      throw new Error(
        `daemon ${version} not healthy: ${readFileSync(join(tmp.root, 'daemon.log'), 'utf8').slice(-800)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function setTimeouts(timeouts: Record<string, number>): void {
  const store = ConfigStore.open(dataDir);
  store.set('timeouts', { controlSocketMs: EVENT_WAIT_MS, ...timeouts });
  store.close();
}

describe('passgate update commit', () => {
  it(
    'keeps a version that is ready and authorized; rolls back one that crash-loops',
    async () => {
      await daemonHealthy('1.0.0');
      const applied = await update('apply', await signedArtifact('1.1.0'));
      expect(applied.code, allText(applied)).toBe(EXIT.ok);
      const committed = await update('commit');
      expect(committed.code, allText(committed)).toBe(EXIT.ok);
      await daemonHealthy('1.1.0');
      expect(readlinkSync(join(root, 'current'))).toBe('slots/b');
      const status = JSON.parse((await update('status', '--json')).stdout[0]);
      expect(status).toMatchObject({ active: 'b', pending: null, slots: { a: { version: '1.0.0' } } });

      // A release whose daemon exits at start: commit waits its (here short) time, then rolls back.
      setTimeouts({ updateCommitMs: 3000, updateHealthPollMs: 200 });
      expect((await update('apply', await signedArtifact('1.2.0', true))).code).toBe(EXIT.ok);
      expect(readlinkSync(join(root, 'current'))).toBe('slots/a');
      const failed = await update('commit');
      expect(failed.code, allText(failed)).toBe(EXIT.rolledBack);
      expect(expectBilingual(failed).en).toContain('rolled back');
      expect(allText(failed)).toContain('not-running');
      expect(readlinkSync(join(root, 'current'))).toBe('slots/b');
      await daemonHealthy('1.1.0');
      expect(JSON.parse((await update('status', '--json')).stdout[0])).toMatchObject({ active: 'b', pending: null });
      const calls = readFileSync(join(tmp.root, 'calls'), 'utf8').trim().split('\n');
      expect(calls).toEqual(['start', 'restart', 'restart', 'stop', 'start']);
    },
    CHILD_TEST_MS,
  );
});
