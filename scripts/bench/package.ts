// Bench section `package`: the size of the Debian package (`npm run package`'s default, zstd)
// and, when running as root with passgate not installed, how long `apt-get install` of it takes
// (purged again afterwards). Built in a scratch directory, not dist/.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAppTree } from '../package/app-tree.js';
import { buildDeb } from '../package/deb.js';
import { type BenchRow, type BenchSection, round } from './section.js';

const APT = ['-y', '-q', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=600'];

function apt(args: string[]): void {
  const r = spawnSync('apt-get', [...args, ...APT], {
    encoding: 'utf8',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed: ${r.stderr.trim().split('\n').at(-1)}`);
}

export const packageSection: BenchSection = {
  name: 'package',
  async run(): Promise<BenchRow[]> {
    const scratch = mkdtempSync(join(tmpdir(), 'pg-bench-package-'));
    try {
      const tree = join(scratch, 'app');
      const manifest = await buildAppTree(tree);
      const deb = buildDeb(tree, manifest, join(scratch, 'dist'), join(scratch, 'staging'));
      const rows: BenchRow[] = [
        { key: 'package_mb', value: round(statSync(deb).size / (1024 * 1024), 1), unit: 'MiB' },
      ];
      const status = spawnSync('dpkg-query', ['-s', 'passgate'], { encoding: 'utf8' }).stdout;
      if (process.getuid?.() === 0 && !/^Status: .* installed$/m.test(status)) {
        const start = performance.now();
        apt(['install', deb]);
        rows.push({ key: 'install_s', value: round((performance.now() - start) / 1000, 1), unit: 's' });
        apt(['purge', 'passgate']);
      } else {
        process.stderr.write('bench: package: install_s needs root and passgate not installed; not measured\n');
      }
      return rows;
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  },
};
