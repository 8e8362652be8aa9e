// Bench section `update`: `passgate update apply` of a release artifact the size of a real one
// (the Node runtime copied in; node_modules linked, as the lab's trees are) into a temporary
// install root, and `passgate update rollback` back. The service manager is /bin/true: the figures
// are passgate's own work (copy, SM2/SM3 signature check, unpack, smoke start, sync, database
// backup, switch), not a daemon's restart.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { main } from '../../firmware/cli/main.js';
import { ConfigStore } from '../../firmware/config/store.js';
import { readReleasePublicKey } from '../../firmware/update/release-key.js';
import { buildBundle, makeAppTree, makeArtifact, makeInstallRoot } from '../lab/app-tree-lab.js';
import { type BenchRow, type BenchSection, round } from './section.js';

async function passgate(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const errors: string[] = [];
  const code = await main(argv, { stdout: () => undefined, stderr: (l) => errors.push(l) }, env);
  if (code !== 0) throw new Error(`passgate ${argv[0]} ${argv[1]} exited ${code}: ${errors.join(' ')}`);
}

export const updateSection: BenchSection = {
  name: 'update',
  async run(): Promise<BenchRow[]> {
    const dir = mkdtempSync(join(tmpdir(), 'passgate-bench-update-'));
    try {
      const bundle = buildBundle(join(dir, 'bundle'));
      const root = makeInstallRoot(join(dir, 'opt'), bundle, '1.0.0');
      const tree = makeAppTree(join(dir, 'tree'), bundle, { version: '1.1.0', copyRuntime: true });
      const artifact = makeArtifact(tree, dir, { version: '1.1.0' });
      const dataDir = join(dir, 'data');
      const env = { PASSGATE_INSTALL_ROOT: root, PASSGATE_SERVICE_CTL: '/bin/true' };
      await passgate(['release', 'keygen', '--out', join(dir, 'vendor')], env);
      await passgate(['release', 'sign', '--key', join(dir, 'vendor.key'), artifact], env);
      const store = ConfigStore.open(dataDir);
      store.set('vendor.releasePublicKey', (await readReleasePublicKey(join(dir, 'vendor.pem'))).toString('hex'));
      store.close();

      let start = performance.now();
      await passgate(['update', 'apply', artifact, '--data-dir', dataDir], env);
      const applyMs = performance.now() - start;
      start = performance.now();
      await passgate(['update', 'rollback', '--data-dir', dataDir], env);
      const rollbackMs = performance.now() - start;
      return [
        { key: 'update_artifact_mb', value: round(statSync(artifact).size / 1e6, 1), unit: 'MB' },
        { key: 'update_apply_s', value: round(applyMs / 1000, 2), unit: 's' },
        { key: 'rollback_s', value: round(rollbackMs / 1000, 2), unit: 's' },
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
