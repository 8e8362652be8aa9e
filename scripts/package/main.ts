// `npm run package`: dist/passgate_<version>_<arch>.deb (the app tree of app-tree.ts, packaged by
// deb.ts). Scratch work in dist/.package/, removed at the end. `npm run package -- --xz`: the
// smaller, slower-to-build package (deb.ts, DebCompression).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildAppTree, REPO_ROOT } from './app-tree.js';
import { buildDeb } from './deb.js';

export async function main(args: readonly string[] = []): Promise<number> {
  const unknown = args.filter((a) => a !== '--xz');
  if (unknown.length > 0) {
    process.stderr.write(`usage: npm run package [-- --xz]\n`);
    return 2;
  }
  const dist = join(REPO_ROOT, 'dist');
  const scratch = join(dist, '.package');
  rmSync(scratch, { recursive: true, force: true });
  try {
    const tree = join(scratch, 'app');
    const manifest = await buildAppTree(tree);
    const deb = buildDeb(tree, manifest, dist, join(scratch, 'deb'), args.includes('--xz') ? 'xz' : 'zstd');
    process.stdout.write(`${deb}\n`);
    return 0;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
