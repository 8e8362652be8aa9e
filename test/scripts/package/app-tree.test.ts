// The app tree the package and the A/B updates install: the bundle runs with the shipped Node and
// the production dependencies alone (no tsx, no build tools), and every runtime dependency is one
// the bundle imports.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppManifest, buildAppTree, debianArch, productionPackages } from '../../../scripts/package/app-tree.js';
import { CHILD_TEST_MS, tempRoot } from '../../support/cli.js';
import { REPO } from '../../support/repo.js';

const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const tmp = tempRoot('pg-app-tree-');
const tree = join(tmp.root, 'app');
let manifest: AppManifest;

beforeAll(async () => {
  manifest = await buildAppTree(tree);
}, CHILD_TEST_MS);

afterAll(() => tmp.remove());

/** The package names the bundle imports (static and dynamic), from every .mjs file of lib/. */
function bundleImports(): Set<string> {
  const names = new Set<string>();
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.mjs') ? [join(dir, e.name)] : [],
    );
  for (const file of files(join(tree, 'lib'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s*)['"]([^'"./][^'"]*)['"]/gm)) {
      const specifier = m[1];
      if (specifier.startsWith('node:')) continue;
      const parts = specifier.split('/');
      names.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]);
    }
  }
  return names;
}

describe('buildAppTree', () => {
  it('writes the manifest with package.json’s version and the Debian architecture', () => {
    expect(manifest).toEqual({ name: 'passgate', version: pkg.version, arch: debianArch() });
    expect(JSON.parse(readFileSync(join(tree, 'manifest.json'), 'utf8'))).toEqual(manifest);
  });

  it('runs with its own Node and production dependencies: both commands report the version', () => {
    const node = join(tree, 'bin/node');
    const env = { PATH: '/usr/bin:/bin' }; // nothing of this checkout on the way
    const opts = { cwd: tmp.root, env, encoding: 'utf8' as const };
    expect(execFileSync(node, [join(tree, 'lib/passgate.mjs'), '--version'], opts).trim()).toBe(
      `passgate ${pkg.version}`,
    );
    expect(execFileSync(node, [join(tree, 'lib/passgate-mock.mjs'), '--version'], opts).trim()).toBe(
      `passgate-mock ${pkg.version}`,
    );
    expect(execFileSync(node, ['--version'], opts).trim()).toBe(process.version);
  });

  it('ships exactly the runtime dependencies the bundle imports, and no build tool', () => {
    const imported = bundleImports();
    expect([...imported].sort()).toEqual(Object.keys(pkg.dependencies).sort());
    for (const name of imported) expect(existsSync(join(tree, 'node_modules', name, 'package.json')), name).toBe(true);
    for (const tool of ['tsx', 'esbuild', 'typescript', 'rollup', 'vitest', '@biomejs/biome']) {
      expect(existsSync(join(tree, 'node_modules', tool)), tool).toBe(false);
      expect(pkg.devDependencies[tool], tool).toBeDefined();
    }
    expect(productionPackages().some((p) => p.endsWith('/tsx') || p.endsWith('/esbuild'))).toBe(false);
  });

  it('keeps this platform’s native binaries only, without their sources', () => {
    const prebuilds = readdirSync(join(tree, 'node_modules/node-hid/prebuilds'));
    expect(prebuilds.length).toBeGreaterThan(0);
    for (const folder of prebuilds) expect(folder).toMatch(new RegExp(`linux-${process.arch}$`));
    expect(existsSync(join(tree, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'))).toBe(true);
    expect(existsSync(join(tree, 'node_modules/better-sqlite3/deps'))).toBe(false);
    expect(existsSync(join(tree, 'lib/passgate.mjs.map'))).toBe(false);
  });

  it('refuses a directory that is not empty', async () => {
    await expect(buildAppTree(tree)).rejects.toThrow(/not empty/);
  });
});
