// An installable app tree, the unit of both the Debian package and an A/B update slot:
//   bin/node            the Node runtime that ran the build (and the tests), so a device needs
//                       nothing else
//   lib/passgate.mjs, lib/passgate-mock.mjs, lib/chunks/   the rollup bundle (no source maps)
//   node_modules/       the production dependencies of package-lock.json, copied from this
//                       checkout's node_modules, so the native addons are the ones built and
//                       tested for this architecture; build leftovers and other platforms'
//                       prebuilt binaries are left out
//   manifest.json       {"name":"passgate","version":…,"arch":…} (arch as Debian names it)
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { rollup } from 'rollup';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface AppManifest {
  name: 'passgate';
  version: string;
  arch: string;
}

export interface AppTreeOptions {
  /** The Node runtime to ship; default: the one running this build. */
  nodeBinary?: string;
  /** The checkout to build from; default: this one. */
  repoRoot?: string;
}

/** Debian's name for Node's process.arch. */
export function debianArch(nodeArch: string = process.arch): string {
  const names: Record<string, string> = {
    x64: 'amd64',
    arm64: 'arm64',
    arm: 'armhf',
    ia32: 'i386',
    riscv64: 'riscv64',
  };
  const name = names[nodeArch];
  if (!name) throw new Error(`no Debian architecture for Node's ${nodeArch}`);
  return name;
}

export function packageVersion(repoRoot = REPO_ROOT): string {
  return (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Builds the tree into `outDir`, which must not exist or be empty. */
export async function buildAppTree(outDir: string, o: AppTreeOptions = {}): Promise<AppManifest> {
  const repoRoot = o.repoRoot ?? REPO_ROOT;
  if (existsSync(outDir) && readdirSync(outDir).length > 0) throw new Error(`${outDir} is not empty`);
  mkdirSync(join(outDir, 'bin'), { recursive: true });
  mkdirSync(join(outDir, 'lib'), { recursive: true });
  await bundleInto(join(outDir, 'lib'), repoRoot);
  copyProductionModules(repoRoot, join(outDir, 'node_modules'));
  copyFileSync(o.nodeBinary ?? process.execPath, join(outDir, 'bin', 'node'));
  chmodSync(join(outDir, 'bin', 'node'), 0o755);
  const manifest: AppManifest = { name: 'passgate', version: packageVersion(repoRoot), arch: debianArch() };
  writeFileSync(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

interface RollupConfig {
  input: string;
  external: (id: string) => boolean;
  plugins: unknown[];
  output: Record<string, unknown>;
}

/** `npm run build`'s configuration (scripts/rollup.config.mjs), written to `libDir` instead of dist/. */
async function bundleInto(libDir: string, repoRoot: string): Promise<void> {
  const configUrl = pathToFileURL(join(repoRoot, 'scripts/rollup.config.mjs')).href;
  const configs = (await import(configUrl)).default as RollupConfig[];
  for (const config of configs) {
    const bundle = await rollup({
      input: resolve(repoRoot, config.input),
      external: config.external,
      plugins: config.plugins as never,
      onwarn: (warning) => {
        throw new Error(`rollup: ${warning.message}`);
      },
    });
    try {
      await bundle.write({ ...config.output, dir: libDir, sourcemap: false });
    } finally {
      await bundle.close();
    }
  }
}

interface LockEntry {
  dev?: boolean;
  optional?: boolean;
}

/** The package-lock entries (node_modules/… paths) a production install has. */
export function productionPackages(repoRoot = REPO_ROOT): string[] {
  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  return Object.entries(lock.packages)
    .filter(([path, entry]) => path.startsWith('node_modules/') && !entry.dev)
    .map(([path]) => path);
}

function copyProductionModules(repoRoot: string, target: string): void {
  const installed = join(repoRoot, 'node_modules');
  for (const path of productionPackages(repoRoot)) {
    const from = join(repoRoot, path);
    // Optional packages for other platforms (a wasm or musl variant) are not installed here.
    if (!existsSync(from)) continue;
    const to = join(target, relative(installed, from));
    mkdirSync(dirname(to), { recursive: true });
    cpSync(from, to, { recursive: true, dereference: true, filter: (src) => keep(from, src) });
  }
}

/** The Node/Debian names of this platform's prebuilt-binary folders, e.g. linux-x64. */
const PLATFORM = `linux-${process.arch}`;

/** Whether `src` (inside the package at `pkg`) belongs in the tree. */
function keep(pkg: string, src: string): boolean {
  const rel = relative(pkg, src);
  if (rel === '') return true;
  const parts = rel.split('/');
  // Nested packages are lock entries of their own (copied when production ones).
  if (parts[0] === 'node_modules') return false;
  // Native addons: only the built binaries, not their sources and intermediate objects.
  const native = existsSync(join(pkg, 'binding.gyp'));
  if (native && ['deps', 'src', 'hidapi'].includes(parts[0])) return false;
  if (native && parts[0] === 'build' && parts.length > 1) {
    return parts[1] === 'Release' && (parts.length === 2 || (parts.length === 3 && parts[2].endsWith('.node')));
  }
  // Prebuilt binaries: this platform's (glibc) only.
  if (parts[0] === 'prebuilds' && parts.length > 1) {
    const folder = parts[1];
    return new RegExp(`(^|[-_])${PLATFORM}$`).test(folder);
  }
  // A package's own tests and docs are not run on a device.
  return !['.github', 'test', 'tests', 'docs'].includes(parts[0]);
}
