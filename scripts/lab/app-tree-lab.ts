// Installed app trees and update artifacts for the update tests and the update bench, made from
// `npm run build`'s bundle the way the package script lays them out (bin/node, lib/,
// node_modules/, manifest.json), until that script's builder is the one they use. A tree's
// version is written into its copy of the bundle, so two trees of one build report two versions.
// Also: a service supervisor script that runs the daemon from `current` for `update
// apply|commit|rollback`.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { debianArch } from '../../firmware/update/app-tree.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
/** A build or a tar of a tree takes seconds; a bound for liveness only. */
const TOOL_MS = 120_000;

/** `npm run build` into `outDir` (not the repository's dist/, which other tests build too). */
export function buildBundle(outDir: string): string {
  execFileSync(
    process.execPath,
    [
      join(REPO, 'node_modules/rollup/dist/bin/rollup'),
      '--config',
      'scripts/rollup.config.mjs',
      '--dir',
      outDir,
      '--silent',
    ],
    { cwd: REPO, timeout: TOOL_MS, stdio: 'pipe' },
  );
  return outDir;
}

const VERSION_FUNCTION = /function passgateVersion\(\) \{ return "[^"]*"; \}/;

export interface AppTreeOptions {
  version: string;
  arch?: string;
  /** A tree whose `--version` works but whose daemon exits 70 at once: a version that crash-loops. */
  crashOnRun?: boolean;
  /** Copy the Node runtime into bin/ (the size of a real artifact) instead of linking to it. */
  copyRuntime?: boolean;
}

/** An app tree in `dir` from the bundle in `bundleDir`. */
export function makeAppTree(dir: string, bundleDir: string, o: AppTreeOptions): string {
  mkdirSync(join(dir, 'bin'), { recursive: true });
  mkdirSync(join(dir, 'lib'), { recursive: true });
  if (o.copyRuntime) copyFileSync(process.execPath, join(dir, 'bin/node'));
  else symlinkSync(process.execPath, join(dir, 'bin/node'));
  symlinkSync(realpathSync(join(REPO, 'node_modules')), join(dir, 'node_modules'));
  cpSync(join(bundleDir, 'chunks'), join(dir, 'lib/chunks'), { recursive: true });
  for (const entry of ['passgate.mjs', 'passgate-mock.mjs']) {
    const text = readFileSync(join(bundleDir, entry), 'utf8');
    if (!VERSION_FUNCTION.test(text)) throw new Error(`no passgateVersion() in ${entry}`);
    writeFileSync(
      join(dir, 'lib', entry),
      text.replace(VERSION_FUNCTION, `function passgateVersion() { return "${o.version}"; }`),
    );
  }
  if (o.crashOnRun) {
    writeFileSync(
      join(dir, 'lib/passgate.mjs'),
      `if (process.argv.includes('--version')) console.log('passgate ${o.version}');\n` +
        `else { console.error('start-failed (a broken release)'); process.exit(70); }\n`,
    );
  }
  const manifest = { name: 'passgate', version: o.version, arch: o.arch ?? debianArch() };
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest)}\n`);
  return dir;
}

/** `passgate_<version>_<arch>.tar` of the tree in `treeDir`, written to `outDir`; unsigned. */
export function makeArtifact(treeDir: string, outDir: string, name: { version: string; arch?: string }): string {
  const path = join(outDir, `passgate_${name.version}_${name.arch ?? debianArch()}.tar`);
  execFileSync('tar', ['-cf', path, '-C', treeDir, '.'], { timeout: TOOL_MS });
  return path;
}

/** An install root with `version` in slot a and `current` pointing at it, as the package leaves it. */
export function makeInstallRoot(root: string, bundleDir: string, version: string): string {
  makeAppTree(join(root, 'slots/a'), bundleDir, { version });
  symlinkSync('slots/a', join(root, 'current'));
  return root;
}

/**
 * A program for $PASSGATE_SERVICE_CTL: `stop|start|restart passgate` run the daemon of
 * `<root>/current` on `dataDir` in the background, as the unit would; every call is appended to
 * `<stateDir>/calls`, the daemon's output to `<stateDir>/daemon.log`.
 */
export function makeServiceScript(stateDir: string, root: string, dataDir: string): string {
  const path = join(stateDir, 'service-ctl');
  const pidFile = join(stateDir, 'daemon.pid');
  writeFileSync(
    path,
    `#!/bin/sh
echo "$1" >> '${join(stateDir, 'calls')}'
stop() {
  [ -f '${pidFile}' ] || return 0
  pid=$(cat '${pidFile}')
  kill "$pid" 2>/dev/null || true
  # Gone, or a zombie nobody reaps (a container without an init).
  while [ -e "/proc/$pid" ] && [ "$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null)" != Z ]; do sleep 0.05; done
  rm -f '${pidFile}'
}
start() {
  '${root}/current/bin/node' '${root}/current/lib/passgate.mjs' run --data-dir '${dataDir}' \\
    </dev/null >>'${join(stateDir, 'daemon.log')}' 2>&1 &
  echo $! > '${pidFile}'
}
case "$1" in
  stop) stop ;;
  start) start ;;
  restart) stop; start ;;
  *) exit 2 ;;
esac
`,
  );
  chmodSync(path, 0o755);
  return path;
}
