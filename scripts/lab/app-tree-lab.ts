// Installed app trees and update artifacts for the update tests and the update bench: the package
// script's builder (scripts/package/app-tree.ts, appTreeFromBundle) on one prebuilt bundle, with
// bin/node and node_modules/ linked to this checkout's (a tree in milliseconds, not 100 MB
// copied), so the trees the tests update between have the layout, manifest and version stamp of
// the tree the .deb ships. Also: a service supervisor script that runs the daemon from `current`
// for `update apply|commit|rollback`.
import { execFileSync } from 'node:child_process';
import { chmodSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { debianArch } from '../../firmware/update/app-tree.js';
import { appTreeFromBundle } from '../package/app-tree.js';
import { updateArtifactFileName, writeUpdateArtifact } from '../package/update-artifact.js';

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

export interface AppTreeOptions {
  version: string;
  arch?: string;
  /** A tree whose `--version` works but whose daemon exits 70 at once: a version that crash-loops. */
  crashOnRun?: boolean;
}

/** An app tree in `dir` from the bundle in `bundleDir`. */
export function makeAppTree(dir: string, bundleDir: string, o: AppTreeOptions): string {
  appTreeFromBundle(dir, bundleDir, {
    version: o.version,
    arch: o.arch,
    link: { runtime: true, modules: true },
  });
  if (o.crashOnRun) {
    writeFileSync(
      join(dir, 'lib/passgate.mjs'),
      `if (process.argv.includes('--version')) console.log('passgate ${o.version}');\n` +
        `else { console.error('start-failed (a broken release)'); process.exit(70); }\n`,
    );
  }
  return dir;
}

/** `passgate_<version>_<arch>.tar` of the tree in `treeDir`, written to `outDir`; unsigned. */
export function makeArtifact(treeDir: string, outDir: string, name: { version: string; arch?: string }): string {
  const path = join(outDir, updateArtifactFileName({ version: name.version, arch: name.arch ?? debianArch() }));
  writeUpdateArtifact(treeDir, path);
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
