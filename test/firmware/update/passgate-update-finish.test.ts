// passgate-update-finish: while an update is pending, commit and rollback run with the version
// that applied it, so a new version that cannot even start cannot block its own rollback; the
// rollback unit runs it.
import { execFile } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../../firmware/cli/exit-codes.js';
import { ConfigStore } from '../../../firmware/config/store.js';
import { readReleasePublicKey } from '../../../firmware/update/release-key.js';
import { buildBundle, makeAppTree, makeArtifact, makeInstallRoot } from '../../support/app-tree.js';
import { allText, CHILD_START_MS, CHILD_TEST_MS, runMain, tempRoot } from '../../support/cli.js';
import { REPO } from '../../support/repo.js';

const FINISH = join(REPO, 'firmware/update/passgate-update-finish');
let tmp: ReturnType<typeof tempRoot>;

beforeAll(() => {
  tmp = tempRoot('pg-finish-');
});
afterAll(() => tmp.remove());

function finish(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(FINISH, args, { env: { ...process.env, ...env }, timeout: CHILD_START_MS }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

describe('passgate-update-finish', () => {
  it(
    'rolls a version that cannot start back with the old slot, then falls back to PASSGATE_BIN',
    async () => {
      const bundle = buildBundle(join(tmp.root, 'bundle'));
      const root = makeInstallRoot(join(tmp.root, 'opt'), bundle, '1.0.0');
      const dataDir = join(tmp.root, 'data');
      await runMain(['release', 'keygen', '--out', join(tmp.root, 'vendor')]);
      const store = ConfigStore.open(dataDir);
      store.set('vendor.releasePublicKey', (await readReleasePublicKey(join(tmp.root, 'vendor.pem'))).toString('hex'));
      store.close();
      const broken = makeAppTree(join(tmp.root, 'broken'), bundle, { version: '1.1.0', crashOnRun: true });
      const artifact = makeArtifact(broken, tmp.root, { version: '1.1.0' });
      await runMain(['release', 'sign', '--key', join(tmp.root, 'vendor.key'), artifact]);
      const env = {
        PASSGATE_INSTALL_ROOT: root,
        PASSGATE_SERVICE_CTL: '/bin/true',
        PASSGATE_DATA_DIR: dataDir,
        PASSGATE_BIN: '/bin/false',
      };
      const applied = await runMain(['update', 'apply', '--no-restart', artifact, '--data-dir', dataDir], env);
      expect(applied.code, allText(applied)).toBe(EXIT.ok);
      expect(readlinkSync(join(root, 'current'))).toBe('slots/b');
      // What /usr/bin/passgate would run now exits 70 for anything but --version.
      const rolled = await finish(env, 'rollback', '--if-pending');
      expect(rolled.code, rolled.output).toBe(0);
      expect(rolled.output).toContain('rolled back');
      expect(readlinkSync(join(root, 'current'))).toBe('slots/a');
      expect(JSON.parse(readFileSync(join(root, 'update-state.json'), 'utf8'))).toEqual({ pending: null });
      // Nothing pending: PASSGATE_BIN (here /bin/false) runs the command.
      expect((await finish(env, 'rollback', '--if-pending')).code).toBe(1);
    },
    CHILD_TEST_MS,
  );
});
